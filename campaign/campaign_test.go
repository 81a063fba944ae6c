package campaign

import (
	"context"
	"testing"
	"time"

	"github.com/trampfuzz/trampfuzz/check"
	"github.com/trampfuzz/trampfuzz/gen"
)

// A bounded campaign on one target reports each class once, with a
// signature and input bytes that reproduce it, and stops at its count.
func TestCampaignFindsEachClassOnce(t *testing.T) {
	target, err := check.ParseTarget("arm64/v6.17", "1.24")
	if err != nil {
		t.Fatal(err)
	}
	c := New(Config{Targets: []check.Target{target}, Workers: 2, Count: 3000, Seed: 1})
	seen := map[string]int{}
	st := c.Run(context.Background(), func(f Finding) {
		seen[f.Class]++
		v, err := check.Run(f.Func, f.Target)
		if err != nil || v.Class != f.Class {
			t.Errorf("the finding does not reproduce: %v %q, want %q", err, v.Class, f.Class)
		}
		fn, err := gen.FromBytes(f.Input, gen.Kernel)
		if err != nil {
			t.Errorf("input bytes do not decode: %v", err)
		} else if v2, _ := check.Run(fn, f.Target); v2 == nil || v2.Class != f.Class {
			t.Errorf("the input bytes do not give the same class")
		}
	})
	if st.Signatures != 3000 {
		t.Errorf("Signatures = %d, want the count 3000", st.Signatures)
	}
	if st.Checks != st.Signatures {
		t.Errorf("Checks = %d for one target and %d signatures", st.Checks, st.Signatures)
	}
	if st.Classes != len(seen) || st.Classes == 0 {
		t.Errorf("Classes = %d, onFind saw %d", st.Classes, len(seen))
	}
	for class, n := range seen {
		if n != 1 {
			t.Errorf("class %q reported %d times", class, n)
		}
	}
	// The even-pair class is reachable from the kernel profile and must
	// show up in 3000 signatures weighted toward __int128.
	want := "arm64/v6.17+pahole-1.24: AAPCS64 2025Q4 C.10 even pair not applied, __int128 scalar in registers"
	if seen[want] == 0 {
		t.Errorf("3000 signatures did not find %q; found %v", want, seen)
	}
	if st.Errors != 0 {
		t.Errorf("%d internal errors", st.Errors)
	}
}

// Cancelling the context ends the campaign promptly with what it counted.
func TestCampaignStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	c := New(Config{Workers: 2})
	done := make(chan Stats)
	go func() { done <- c.Run(ctx, nil) }()
	time.Sleep(200 * time.Millisecond)
	cancel()
	select {
	case st := <-done:
		if st.Signatures == 0 {
			t.Error("no signatures before the cancel")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the campaign did not stop within 10s of the cancel")
	}
}
