package scan

import (
	"os"
	"testing"

	"github.com/trampfuzz/trampfuzz/check"
)

// BenchmarkScanBTF scans the running kernel's BTF for the default target.
// Compare with `bpftool btf dump file /sys/kernel/btf/vmlinux format raw`.
func BenchmarkScanBTF(b *testing.B) {
	const path = "/sys/kernel/btf/vmlinux"
	if _, err := os.Stat(path); err != nil {
		b.Skip(path, " does not exist on this machine")
	}
	var funcs int
	for b.Loop() {
		rep, err := File(path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		funcs = rep.Functions
	}
	b.ReportMetric(float64(funcs), "funcs")
}

// BenchmarkScanDWARF scans an object with every shape of the tests,
// compiled by GCC.
func BenchmarkScanDWARF(b *testing.B) {
	obj := compile(b, "gcc", shapes+unmodelled)
	target := check.Default()
	for b.Loop() {
		if _, err := File(obj, Options{Targets: []check.Target{target}}); err != nil {
			b.Fatal(err)
		}
	}
}
