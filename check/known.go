package check

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// KnownClass is one reviewed mismatch class.
type KnownClass struct {
	// Problem is the class key without its target prefix; '*' matches
	// any run of characters (e.g. "…, 16-byte-aligned * in registers").
	Problem string `yaml:"problem" json:"problem"`
	// Targets are patterns over target names, '*' matching any run of
	// characters: "arm64/v6.17+*", "arm64/v6.1[67]+pahole-1.24" is not
	// supported (list both instead).
	Targets []string `yaml:"targets" json:"targets"`
	// Reachable is false when the shape needs floating point, which arm64
	// kernel code never passes (-mgeneral-regs-only).
	Reachable bool `yaml:"reachable" json:"reachable"`
	// Explanation says what goes wrong, where in the kernel and pahole, and
	// since when.
	Explanation string `yaml:"explanation" json:"explanation"`
	// Witnesses are signatures (canonical C text) that show the class on
	// its targets; kernel truth runs them on real kernels.
	Witnesses []string `yaml:"witnesses" json:"witnesses,omitempty"`
}

// Confirmation is what a real kernel showed for a known class's witness
// (trampfuzz kernel-truth -confirm-classes, recorded in
// kernel_confirmations.json).
type Confirmation struct {
	// Problem is the known class's problem pattern.
	Problem string `json:"problem"`
	// Kernel and Release name the real kernel ("debian/6.12-arm64",
	// "6.12.118+deb12-arm64"); Target is the model it was compared with.
	Kernel  string `json:"kernel"`
	Release string `json:"release"`
	Target  string `json:"target"`
	// Witness is the signature run.
	Witness string `json:"witness"`
	// Result is ConfirmedOnKernel, NotReproduced or NotReachable.
	Result string `json:"result"`
	// Saw is what BPF saw in each ctx slot, in terms of the call's
	// argument bytes ("ctx[1] = junk 0x…").
	Saw string `json:"saw,omitempty"`
	// Why explains a result other than confirmed: the model's verdict on
	// that kernel, or the differences between model and kernel.
	Why string `json:"why,omitempty"`
}

// Confirmation results.
const (
	// ConfirmedOnKernel: the model predicts the class's misread on the
	// kernel, and the kernel's slots are the model's reading.
	ConfirmedOnKernel = "confirmed"
	// NotReproduced: the model predicts the misread, the kernel did
	// otherwise.
	NotReproduced = "not-reproduced"
	// NotReachable: the kernel's model does not show the class for the
	// witness (another verdict, or the kernel refuses fentry).
	NotReachable = "not-reachable"
)

//go:embed kernel_confirmations.json
var confirmationsJSON []byte

var (
	confirmOnce sync.Once
	confirms    []Confirmation
	confirmErr  error
)

// Confirmations returns the recorded real-kernel results of every known
// class's witnesses. It panics if the file does not parse, which
// TestConfirmationsMatchTheModels catches.
func Confirmations() []Confirmation {
	confirmOnce.Do(func() { confirmErr = json.Unmarshal(confirmationsJSON, &confirms) })
	if confirmErr != nil {
		panic(fmt.Errorf("kernel_confirmations.json: %w", confirmErr))
	}
	return confirms
}

// ConfirmationsOf returns the recorded results for the class with problem
// pattern problem.
func ConfirmationsOf(problem string) []Confirmation {
	var out []Confirmation
	for _, c := range Confirmations() {
		if c.Problem == problem {
			out = append(out, c)
		}
	}
	return out
}

// KnownClasses is the reviewed list.
type KnownClasses struct {
	Classes []KnownClass `yaml:"classes"`
}

//go:embed known_classes.yaml
var knownYAML []byte

var (
	knownOnce sync.Once
	known     *KnownClasses
	knownErr  error
)

// Known returns the reviewed list shipped in known_classes.yaml. It panics
// if the file does not parse, which TestKnownClassesParse catches.
func Known() *KnownClasses {
	knownOnce.Do(func() { known, knownErr = ParseKnown(knownYAML) })
	if knownErr != nil {
		panic(knownErr)
	}
	return known
}

// ParseKnown reads a known-class list.
func ParseKnown(data []byte) (*KnownClasses, error) {
	var k KnownClasses
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&k); err != nil {
		return nil, fmt.Errorf("known classes: %w", err)
	}
	for i, c := range k.Classes {
		if c.Problem == "" || len(c.Targets) == 0 || c.Explanation == "" {
			return nil, fmt.Errorf("known classes: entry %d: problem, targets and explanation are required", i)
		}
		for _, p := range append([]string{c.Problem}, c.Targets...) {
			if strings.ContainsAny(p, "?[]\\") {
				return nil, fmt.Errorf("known classes: entry %d: pattern %q: only '*' is special", i, p)
			}
		}
	}
	return &k, nil
}

// Lookup returns the entry for a class key ("TARGET: PROBLEM"), or nil.
func (k *KnownClasses) Lookup(class string) *KnownClass {
	target, problem, ok := strings.Cut(class, ": ")
	if !ok {
		return nil
	}
	for i := range k.Classes {
		c := &k.Classes[i]
		if !match(c.Problem, problem) {
			continue
		}
		for _, p := range c.Targets {
			if match(p, target) {
				return c
			}
		}
	}
	return nil
}

// match reports whether s matches pattern, where '*' matches any run of
// characters (including none) and every other character itself.
func match(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}
