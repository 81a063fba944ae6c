package ktruth

import (
	"bytes"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/trampfuzz/trampfuzz/layout"
)

// The recorded logs are real console output of Debian's 6.12.118 amd64
// kernel under QEMU: a run of the probe and three signatures (an
// aligned(16) struct, an __int128, a 24-byte struct the verifier refuses),
// and a guest that exited after "TFK step call 1 tfk_1", which the kernel
// answers with a panic.
func readLog(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseConsoleRecorded(t *testing.T) {
	b := ParseConsole(readLog(t, "console-6.12.118-amd64.log"), false)
	if b.Release != "6.12.118+deb12-amd64" || !b.Loaded || !b.Done || b.Crash != nil || b.Fatal != "" || len(b.Garbled) != 0 {
		t.Fatalf("parsed %+v", b)
	}
	if len(b.Results) != 4 {
		t.Fatalf("%d results, want 4", len(b.Results))
	}
	want := []struct {
		outcome Outcome
		count   uint64
		slot1   string
	}{
		{Attached, 1, "0000000000000000"},
		{Attached, 4, "11100f0e0d0c0b0a"},
		{Attached, 4, "0d0c0b0a09080706"},
		{LoadRefused, 0, ""},
	}
	for i, r := range b.Results {
		o, msg, _ := classify(r)
		if r.Index != i || o != want[i].outcome || r.Count != want[i].count {
			t.Errorf("result %d: index %d outcome %s count %d (%s); want %s count %d", i, r.Index, o, r.Count, msg, want[i].outcome, want[i].count)
		}
		if want[i].slot1 != "" && (len(r.Slots) != 12 || r.Slots[1] != want[i].slot1) {
			t.Errorf("result %d: slots %v, slot 1 want %s", i, r.Slots, want[i].slot1)
		}
	}
	if _, msg, errno := classify(b.Results[3]); !strings.Contains(msg, "The function tfk_3 arg1 type STRUCT is unsupported.") || errno != 22 {
		t.Errorf("refusal %q errno %d: want the verifier's words and EINVAL", msg, errno)
	}
}

// A kernel panic after a step names the function and keeps the kernel's
// report; the results before it stay.
func TestParseConsolePanic(t *testing.T) {
	b := ParseConsole(readLog(t, "console-panic-6.12.118-amd64.log"), false)
	if b.Done || b.Crash == nil || len(b.Results) != 1 {
		t.Fatalf("parsed %+v", b)
	}
	c := b.Crash
	if c.Index != 1 || c.Func != "tfk_1" || c.Step != "call" || c.Hang || !strings.HasPrefix(strings.TrimSpace(c.Text[strings.Index(c.Text, "]")+1:]), "Kernel panic - not syncing: Attempted to kill init!") {
		t.Errorf("crash %+v", c)
	}
	if s := c.String(); !strings.Contains(s, "the kernel crashed at call of tfk_1") || !strings.Contains(s, "Kernel panic") {
		t.Errorf("crash reads %q", s)
	}
}

// A log cut anywhere (a boot stopped at the timeout, a lost console) never
// panics the parser: it keeps every complete result line before the cut,
// and without "TFK done" it is a crash or, when the boot was stopped, a
// hang naming the last step.
func TestParseConsoleTruncated(t *testing.T) {
	full := readLog(t, "console-6.12.118-amd64.log")
	lines := bytes.SplitAfter(full, []byte("\n"))
	at := 0
	for i, l := range lines {
		for _, cut := range []int{0, len(l) / 2} {
			out := append([]byte(nil), full[:at+cut]...)
			if bytes.Contains(out, []byte("TFK done")) {
				continue // nothing was lost
			}
			b := ParseConsole(out, true)
			results := bytes.Count(full[:at], []byte("TFK result "))
			if len(b.Results) != results {
				t.Fatalf("cut at line %d+%d: %d results, want %d", i, cut, len(b.Results), results)
			}
			if b.Done {
				t.Fatalf("cut at line %d+%d: done", i, cut)
			}
			if b.Crash == nil || !b.Crash.Hang {
				t.Fatalf("cut at line %d+%d: crash %+v, want a hang", i, cut, b.Crash)
			}
			steps := bytes.Count(full[:at], []byte("TFK step "))
			if steps > 0 && results*3 < steps && b.Crash.Index < 0 {
				t.Errorf("cut at line %d+%d: the hang names no step", i, cut)
			}
		}
		at += len(l)
	}
}

// Garbage on the console (a corrupted line, random bytes, kernel messages
// between the guest's lines) is set aside, never taken for a result.
func TestParseConsoleGarbage(t *testing.T) {
	full := readLog(t, "console-6.12.118-amd64.log")
	rng := rand.New(rand.NewPCG(1, 2))
	noise := make([]byte, 4096)
	for i := range noise {
		noise[i] = byte(rng.Uint32())
	}
	mixed := bytes.Replace(full, []byte("TFK step load 2"), append(append([]byte("[ 1.0] random: crng init done\n"), noise...), []byte("\nTFK step load 2")...), 1)
	mixed = bytes.Replace(mixed, []byte("TFK done"), []byte("TFK result {\"i\":9,\"func\":\ntruncated json\nTFK bogus verb\n"+
		`TFK result {"i":8,"func":"tfk_8","hits":1,"count":1,"slots":["zz"]}`+"\nTFK done"), 1)
	b := ParseConsole(mixed, false)
	if !b.Done || len(b.Results) != 4 || b.Crash != nil {
		t.Fatalf("parsed %d results, done %v, crash %+v", len(b.Results), b.Done, b.Crash)
	}
	if len(b.Garbled) < 3 {
		t.Errorf("garbled lines %q: want the broken result, the bad slots and the unknown verb", b.Garbled)
	}
	for i := 0; i < 200; i++ {
		junk := make([]byte, rng.IntN(2000))
		for j := range junk {
			junk[j] = "TFK {}\n\"result step 0123 abc"[rng.IntN(22)]
		}
		ParseConsole(junk, i%2 == 0) // must not panic
	}
}

// The refusal kinds, from the guest's fields (the errno and messages as
// cilium/ebpf gives them).
func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		r     GuestResult
		want  Outcome
		errno int
	}{
		{GuestResult{Hits: 1, Count: 2}, Attached, 0},
		{GuestResult{LoadError: "find target in modules: not found", NotInBTF: true}, NotInBTF, 0},
		{GuestResult{LoadError: "program p: load program: invalid argument: The function f arg0 type STRUCT is unsupported.", Errno: -layout.EINVAL}, LoadRefused, -layout.EINVAL},
		{GuestResult{AttachError: "create raw tracepoint: not supported", Errno: -layout.ENOTSUPP}, AttachRefused, -layout.ENOTSUPP},
		// A program that loaded and then failed to attach reports the load
		// error first only when there is one.
		{GuestResult{LoadError: "load program: invalid argument", AttachError: "not supported", Errno: -layout.EINVAL}, LoadRefused, -layout.EINVAL},
		{GuestResult{CallError: "write /sys/module/tfk/parameters/run: invalid argument"}, Failed, 0},
		{GuestResult{Count: 0, Hits: 0}, Failed, 0},
	} {
		got, why, errno := classify(tc.r)
		if got != tc.want || errno != tc.errno {
			t.Errorf("classify(%+v) = %s errno %d, want %s errno %d", tc.r, got, errno, tc.want, tc.errno)
		}
		if (got == Attached) != (why == "") {
			t.Errorf("classify(%+v) = %s with reason %q", tc.r, got, why)
		}
	}
}
