package fuzz

import (
	"fmt"

	"github.com/trampfuzz/trampfuzz/check"
)

// targetIDs is the stable target table of version-2 inputs: an input's
// target byte is an index into it. It only grows: a new kernel model or
// pahole version is appended, never inserted, so every saved input keeps
// its target (TestTargetTableOnlyGrows). Its first 42 entries are the
// table version-1 inputs index, check.Targets() as it was when inputs got
// a version.
var targetIDs = []string{
	"arm64/v6.0+pahole-1.24",
	"arm64/v6.0+pahole-1.31",
	"arm64/v6.0+pahole-head",
	"arm64/v6.1+pahole-1.24",
	"arm64/v6.1+pahole-1.31",
	"arm64/v6.1+pahole-head",
	"arm64/v6.5+pahole-1.24",
	"arm64/v6.5+pahole-1.31",
	"arm64/v6.5+pahole-head",
	"arm64/v6.16+pahole-1.24",
	"arm64/v6.16+pahole-1.31",
	"arm64/v6.16+pahole-head",
	"arm64/v6.17+pahole-1.24",
	"arm64/v6.17+pahole-1.31",
	"arm64/v6.17+pahole-head",
	"arm64/v6.18+pahole-1.24",
	"arm64/v6.18+pahole-1.31",
	"arm64/v6.18+pahole-head",
	"arm64/v7.3+pahole-1.24",
	"arm64/v7.3+pahole-1.31",
	"arm64/v7.3+pahole-head",
	"arm64/place-args+pahole-1.24",
	"arm64/place-args+pahole-1.31",
	"arm64/place-args+pahole-head",
	"x86_64/v6.0+pahole-1.24",
	"x86_64/v6.0+pahole-1.31",
	"x86_64/v6.0+pahole-head",
	"x86_64/v6.1+pahole-1.24",
	"x86_64/v6.1+pahole-1.31",
	"x86_64/v6.1+pahole-head",
	"x86_64/v6.3+pahole-1.24",
	"x86_64/v6.3+pahole-1.31",
	"x86_64/v6.3+pahole-head",
	"x86_64/v6.6+pahole-1.24",
	"x86_64/v6.6+pahole-1.31",
	"x86_64/v6.6+pahole-head",
	"x86_64/v6.18+pahole-1.24",
	"x86_64/v6.18+pahole-1.31",
	"x86_64/v6.18+pahole-head",
	"x86_64/v7.3+pahole-1.24",
	"x86_64/v7.3+pahole-1.31",
	"x86_64/v7.3+pahole-head",
	// Appended after version 1: the x86-64 stable rows.
	"x86_64/v6.1.72+pahole-1.24",
	"x86_64/v6.1.72+pahole-1.31",
	"x86_64/v6.1.72+pahole-head",
	"x86_64/v6.1.191+pahole-1.24",
	"x86_64/v6.1.191+pahole-1.31",
	"x86_64/v6.1.191+pahole-head",
	"x86_64/v6.12.110+pahole-1.24",
	"x86_64/v6.12.110+pahole-1.31",
	"x86_64/v6.12.110+pahole-head",
}

// v1Targets is how many entries of targetIDs version-1 inputs index
// (modulo: byte 0 % 42).
const v1Targets = 42

// idTargets are targetIDs resolved, in the same order.
var idTargets = resolveTargets(targetIDs)

func resolveTargets(names []string) []check.Target {
	out := make([]check.Target, len(names))
	for i, n := range names {
		t, err := check.TargetNamed(n)
		if err != nil {
			panic(fmt.Sprintf("fuzz: target table entry %d: %v", i, err)) // TestTargetTableOnlyGrows
		}
		out[i] = t
	}
	return out
}
