package layout_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/trampfuzz/trampfuzz/layout"
)

func TestLookup(t *testing.T) {
	tests := []struct {
		ver, name, version string
	}{
		{"v6.0", "v6.0", "v6.0"},
		{"6.1", "v6.1-v6.4", "v6.1"},
		{"v6.4.12", "v6.1-v6.4", "v6.4"},
		{"v6.10", "v6.5-v6.15", "v6.10"},
		{"6.10", "v6.5-v6.15", "v6.10"},
		{"v6.15", "v6.5-v6.15", "v6.15"},
		{"v6.16-rc3", "v6.16", "v6.16"},
		{"v6.17", "v6.17-v7.2", "v6.17"},
		{"arm64/v6.18", "v6.17-v7.2", "v6.18"},
		{"v7.2", "v6.17-v7.2", "v7.2"},
		{"v7.3", "v7.3", "v7.3"},
		{"v7.9", "v7.3", "v7.9"},
		{"place-args", "place-args", ""},
		{"arm64/place-args", "place-args", ""},
	}
	for _, tc := range tests {
		k, err := layout.Lookup("arm64", tc.ver)
		if err != nil {
			t.Errorf("Lookup(%q): %v", tc.ver, err)
			continue
		}
		if k.Name != tc.name || k.Version != tc.version || k.Arch != "arm64" {
			t.Errorf("Lookup(%q) = %s %q %q, want %q %q", tc.ver, k.Arch, k.Name, k.Version, tc.name, tc.version)
		}
	}
	for _, bad := range []string{"", "v5.19", "4.20", "six", "v6", "v6.x", "v6.010", "place", "v-1.2"} {
		if k, err := layout.Lookup("arm64", bad); !errors.Is(err, layout.ErrUnknownKernel) {
			t.Errorf("Lookup(%q) = %v, %v; want ErrUnknownKernel", bad, k, err)
		}
	}
	if _, err := layout.Lookup("x86", "v6.17"); !errors.Is(err, layout.ErrUnknownKernel) {
		t.Errorf("Lookup(x86): %v, want ErrUnknownKernel", err)
	}
}

func TestKernelsTable(t *testing.T) {
	ks := layout.Kernels(layout.ArchARM64)
	wantNames := []string{"v6.0", "v6.1-v6.4", "v6.5-v6.15", "v6.16", "v6.17-v7.2", "v7.3", "place-args"}
	if len(ks) != len(wantNames) {
		t.Fatalf("%d kernels, want %d", len(ks), len(wantNames))
	}
	for i, k := range ks {
		if k.Name != wantNames[i] {
			t.Errorf("kernel %d: %q, want %q", i, k.Name, wantNames[i])
		}
		if len(k.Commits) == 0 || k.Summary == "" {
			t.Errorf("%s: no commits or summary", k.Name)
		}
		for _, c := range k.Commits {
			if len(c) != 12 || strings.Trim(c, "0123456789abcdef") != "" {
				t.Errorf("%s: commit %q is not a 12-hex id", k.Name, c)
			}
		}
		if (k.Name == "place-args") == k.Mainline {
			t.Errorf("%s: Mainline = %v", k.Name, k.Mainline)
		}
		// Each table entry looks itself up.
		if k.Version != "" {
			if got, err := layout.Lookup(k.Arch, k.Version); err != nil || got.Name != k.Name {
				t.Errorf("Lookup(%s) = %q, %v", k.Version, got.Name, err)
			}
		}
	}
	if !strings.Contains(ks[len(ks)-1].Summary, "NOT MAINLINE") {
		t.Errorf("place-args summary must say it is not mainline: %q", ks[len(ks)-1].Summary)
	}
	// The table is returned by copy.
	ks[0].Commits[0] = "changed"
	if layout.Kernels(layout.ArchARM64)[0].Commits[0] == "changed" {
		t.Error("Kernels() exposes the table")
	}
}
