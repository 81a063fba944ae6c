package oracle_test

import (
	"context"
	"flag"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/trampfuzz/trampfuzz/oracle"
	"github.com/trampfuzz/trampfuzz/oraclecheck"
	"github.com/trampfuzz/trampfuzz/toolchain"
)

var (
	agreementN    = flag.Int("oracle.n", 20000, "signatures TestAgreementWithCompilers draws (-short: 1000)")
	agreementSeed = flag.Uint64("oracle.seed", 1, "seed of TestAgreementWithCompilers")
)

// TestAgreementWithCompilers draws random signatures (gen.Full: 1–16
// arguments, records, HFAs, packed, aligned, bit-fields, __int128, long
// double), has gcc 12.2 and clang 14 compile and run them under qemu (truth,
// batched), and requires every byte each oracle variant places to be among
// the locations its compiler used: aapcs64/gcc12 against gcc, aapcs64/clang14
// against clang, the default against each where it places like that
// compiler's variant. A gcc/clang divergence is logged, not failed, but
// must be one the variants predict, and its compiler rules must be listed
// in testdata/divergences.md.
func TestAgreementWithCompilers(t *testing.T) {
	toolchain.Require(t, toolchain.GCC, toolchain.Clang, toolchain.QEMU, toolchain.Tool{Name: "ld.lld", Package: "lld"})
	n := *agreementN
	if testing.Short() {
		n = min(n, 1000)
	}
	r, err := oraclecheck.Run(context.Background(), oraclecheck.Options{N: n, Seed: *agreementSeed})
	if err != nil {
		t.Fatal(err)
	}
	checkAgreement(t, r, n, "testdata/divergences.md")
	if len(r.Divergences) > 0 {
		t.Logf("first documented divergence %v:\n%s", r.Divergences[0].Rules, r.Divergences[0].Detail)
	}
}

// checkAgreement fails t on what an oraclecheck report says is wrong: a
// signature the oracle refused, a byte it placed where the compiler did
// not, fewer than minObserved observations, a gcc/clang divergence the
// variants do not predict or whose rules divergencesFile does not list.
func checkAgreement(t *testing.T, r *oraclecheck.Report, minObserved int, divergencesFile string) {
	t.Helper()
	t.Logf("%s", r)
	for k, ex := range r.SkippedExample {
		t.Logf("no observation %s, e.g.\n%s", k, ex)
	}
	for _, e := range r.PlaceErrors {
		t.Errorf("oracle refused a generated signature: %s", e)
	}
	for i, m := range r.Mismatches {
		if i == 10 {
			t.Errorf("… %d more mismatches", len(r.Mismatches)-i)
			break
		}
		t.Errorf("%s", m)
	}
	if total := r.Observed["gcc"] + r.Observed["clang"]; total < minObserved {
		t.Errorf("only %d observations of signatures × 2 compilers (want %d)", total, minObserved)
	}
	listed := listedRules(t, divergencesFile)
	for _, d := range r.Divergences {
		if !d.Documented {
			t.Errorf("gcc and clang diverge where the variants agree (undocumented):\n%s", d.Detail)
			continue
		}
		for _, rule := range d.Rules {
			if !slices.Contains(listed, rule) {
				t.Errorf("divergence on rule %q, which %s does not list:\n%s", rule, divergencesFile, d.Detail)
			}
		}
	}
}

// listedRules reads the "rule: …" lines of a divergences file.
func listedRules(t *testing.T, path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rules []string
	for _, m := range regexp.MustCompile(`(?m)^rule: (.+)$`).FindAllStringSubmatch(string(b), -1) {
		rules = append(rules, strings.TrimSpace(m[1]))
	}
	return rules
}

// TestDivergencesFileNamesOracleRules: every rule line of the divergences
// file is a rule id the oracle emits, so the file cannot drift from the code.
func TestDivergencesFileNamesOracleRules(t *testing.T) {
	known := []string{oracle.RuleClangZeroWidth, oracle.RuleClangLongDoubleHFA, oracle.RuleClangEmptyRecord,
		oracle.RuleGCC12PackedBitfield, oracle.RuleGCCPair, oracle.RuleEmptyRecord}
	rules := listedRules(t, "testdata/divergences.md")
	if len(rules) == 0 {
		t.Fatal("no rule: lines in testdata/divergences.md")
	}
	for _, r := range rules {
		if !slices.Contains(known, r) {
			t.Errorf("divergences.md lists %q, which the oracle never emits", r)
		}
	}
}
