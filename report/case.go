package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/trampfuzz/trampfuzz/check"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/oracle"
)

// Errors wrapped by this package.
var (
	// ErrNotMismatch: a report is only made for a Mismatch verdict.
	ErrNotMismatch = errors.New("not a mismatch")
	// ErrCaseFile: a case.json that cannot be read back.
	ErrCaseFile = errors.New("invalid case file")
	// ErrExists: the report directory exists with other content and no
	// free suffixed name was found.
	ErrExists = errors.New("report directory exists with different content")
)

// CaseFormat is the first field of every case.json; ReadCase rejects other
// versions instead of guessing.
const CaseFormat = "trampfuzz-case v1"

// Case is what a report is made of: a signature, the target it was checked
// on and the verdict, which must be a Mismatch.
type Case struct {
	Func    *ctype.Func
	Target  check.Target
	Verdict *check.Verdict
	// Origin, when set, says where the case came from and what shrinking
	// did; the zero value (nil) leaves it out of the report.
	Origin *Origin
}

// Origin is the input a case was minimized from.
type Origin struct {
	// Input is the file given to cmd/minimize.
	Input string `json:"input,omitempty"`
	// C is the signature before shrinking, as canonical C text.
	C string `json:"c,omitempty"`
	// Args is its argument count.
	Args int `json:"args"`
	// Tests and Accepted count the shrinker's predicate calls and accepted
	// moves; Complete is false when a bound cut shrinking short (then the
	// case is not 1-minimal).
	Tests    int  `json:"tests"`
	Accepted int  `json:"accepted"`
	Complete bool `json:"complete"`
}

// New checks fn on t and returns the case, or an error wrapping
// ErrNotMismatch (with the verdict's kind) when t does not misread fn.
func New(fn *ctype.Func, t check.Target) (*Case, error) {
	if err := checkArch(t.Kernel.Arch); err != nil {
		return nil, err
	}
	v, err := check.Run(fn, t)
	if err != nil {
		return nil, err
	}
	if v.Kind != check.Mismatch {
		what := string(v.Kind)
		if v.Rejected != nil {
			what += " by " + v.Rejected.Stage + ": " + v.Rejected.Reason
		}
		return nil, fmt.Errorf("%w on %s: %s", ErrNotMismatch, v.Target, what)
	}
	return &Case{Func: fn, Target: t, Verdict: v}, nil
}

// ID is a short content hash of the case (signature and target): the same
// case always gets the same ID. It names the kselftest function and the
// report directory.
func (c *Case) ID() string {
	h := sha256.Sum256([]byte(c.Target.String() + "\n" + ctype.Render(c.Func)))
	return hex.EncodeToString(h[:4])
}

// caseFile is the JSON form of case.json.
type caseFile struct {
	Format string `json:"format"`
	// Kernel and Pahole are what check.ParseTarget reads back; ABI is the
	// oracle variant's name ("aapcs64", ...; "sysv" on x86-64, where
	// check always places arguments with the default System V oracle).
	Kernel    string         `json:"kernel"`
	Pahole    string         `json:"pahole"`
	ABI       string         `json:"abi"`
	StructOps bool           `json:"struct_ops,omitempty"`
	Target    string         `json:"target"`
	Class     string         `json:"class"`
	C         string         `json:"c"`
	Verdict   *check.Verdict `json:"verdict"`
	Origin    *Origin        `json:"origin,omitempty"`
}

// kernelSpec is the kernel as check.ParseTarget reads it: "arm64/v6.18"
// (the concrete version looked up) or "arm64/place-args" for a proposal.
func kernelSpec(t check.Target) string {
	v := t.Kernel.Version
	if v == "" {
		v = t.Kernel.Name
	}
	return t.Kernel.Arch + "/" + v
}

// MarshalCase is the content of case.json.
func MarshalCase(c *Case) ([]byte, error) {
	cf := caseFile{
		Format: CaseFormat, Kernel: kernelSpec(c.Target), Pahole: string(c.Target.Pahole), ABI: c.Target.ABI.Name,
		StructOps: c.Target.StructOps, Target: c.Target.String(), Class: c.Verdict.Class, C: ctype.Render(c.Func),
		Verdict: c.Verdict, Origin: c.Origin,
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(cf); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// ReadCase reads a case.json (or the case.json of a report directory) back
// into the signature and target it was checked on. The recorded class is
// returned too, so a caller can tell whether a re-check still gives it.
func ReadCase(path string) (fn *ctype.Func, t check.Target, class string, err error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		path = filepath.Join(path, "case.json")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, t, "", err
	}
	return ParseCase(path, data)
}

// ParseCase is ReadCase on the content of a case.json; name is used in
// error messages.
func ParseCase(name string, data []byte) (fn *ctype.Func, t check.Target, class string, err error) {
	var cf caseFile
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&cf); err != nil {
		return nil, t, "", fmt.Errorf("%w %s: %v", ErrCaseFile, name, err)
	}
	if cf.Format != CaseFormat {
		return nil, t, "", fmt.Errorf("%w %s: format %q, want %q", ErrCaseFile, name, cf.Format, CaseFormat)
	}
	if t, err = check.ParseTarget(cf.Kernel, cf.Pahole); err != nil {
		return nil, t, "", fmt.Errorf("%w %s: %v", ErrCaseFile, name, err)
	}
	if err := checkArch(t.Kernel.Arch); err != nil {
		return nil, t, "", fmt.Errorf("%w %s: %v", ErrCaseFile, name, err)
	}
	abi := cf.ABI
	if abi == oracle.AAPCS64.Default().Name && t.ABI.ABI() != oracle.AAPCS64 {
		// Case files of other architectures written before their own
		// ABI was recorded say "aapcs64": they were checked by the
		// default variant of their architecture's ABI.
		abi = ""
	}
	if t, err = t.WithABI(abi); err != nil {
		return nil, t, "", fmt.Errorf("%w %s: abi: %v", ErrCaseFile, name, err)
	}
	t.StructOps = cf.StructOps
	if fn, err = ctype.Parse(name+": c", []byte(cf.C)); err != nil {
		return nil, t, "", fmt.Errorf("%w %s: %v", ErrCaseFile, name, err)
	}
	if err := ctype.Check(fn); err != nil {
		return nil, t, "", fmt.Errorf("%w %s: %v", ErrCaseFile, name, err)
	}
	return fn, t, cf.Class, nil
}
