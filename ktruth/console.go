package ktruth

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/trampfuzz/trampfuzz/layout"
)

// GuestResult is what the guest printed for one function ("TFK result").
type GuestResult struct {
	Index     int    `json:"i"`
	Func      string `json:"func"`
	LoadError string `json:"load_error,omitempty"`
	// NotInBTF: the load failed because no BTF (vmlinux's or a module's)
	// names the function (cilium/ebpf's btf.ErrNotFound).
	NotInBTF    bool   `json:"not_in_btf,omitempty"`
	AttachError string `json:"attach_error,omitempty"`
	Errno       int    `json:"errno,omitempty"`
	CallError   string `json:"call_error,omitempty"`
	Hits        uint64 `json:"hits"`
	Count       uint64 `json:"count"`
	// Slots are bpf_get_func_arg(ctx, n) for n = 0..11, as 16 hex digits.
	Slots []string `json:"slots,omitempty"`
}

// Crash is a boot that did not finish: a kernel oops or panic, or a hang
// (no "TFK done" before the timeout), with the step the guest was at.
type Crash struct {
	// Index and Func name the function of the last step (-1: none yet).
	Index int    `json:"index"`
	Func  string `json:"func,omitempty"`
	// Step is load, attach or call.
	Step string `json:"step,omitempty"`
	// Hang is true when the guest stopped printing without an oops.
	Hang bool `json:"hang,omitempty"`
	// Text is the kernel's report (the lines from the first oops marker).
	Text string `json:"text,omitempty"`
}

// Boot is one boot's console output, parsed.
type Boot struct {
	Release string
	// Loaded is true once the guest loaded the module.
	Loaded  bool
	Results []GuestResult
	Done    bool
	// Fatal is the guest's own error ("TFK fatal").
	Fatal string
	Crash *Crash
	// Garbled lists TFK lines that did not parse.
	Garbled []string
}

// crashMarkers start a kernel's report of an oops or panic.
var crashMarkers = []string{"Kernel panic", "Oops", "BUG:", "Unable to handle kernel", "general protection fault", "Internal error:", "kernel BUG at"}

// ParseConsole reads a guest's console output. Kernel messages may stand
// between and inside the guest's lines, so a guest line is found by its
// "TFK " marker anywhere in a line. Output that ends without "TFK done"
// is a crash (with the kernel's report when there is one) or, with hung,
// a hang; either names the function of the last "TFK step" line.
func ParseConsole(out []byte, hung bool) Boot {
	var b Boot
	step := Crash{Index: -1}
	var report []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if report != nil {
			report = append(report, line)
			continue
		}
		i := strings.Index(line, "TFK ")
		if i < 0 {
			for _, m := range crashMarkers {
				if strings.Contains(line, m) {
					report = []string{line}
					break
				}
			}
			continue
		}
		verb, rest, _ := strings.Cut(line[i+4:], " ")
		switch verb {
		case "boot":
			b.Release = rest
		case "module":
			b.Loaded = true
		case "step":
			f := strings.Fields(rest)
			n := -1
			if len(f) == 3 {
				n, _ = strconv.Atoi(f[1])
			}
			if n < 0 {
				b.Garbled = append(b.Garbled, line)
				continue
			}
			step = Crash{Step: f[0], Index: n, Func: f[2]}
		case "result":
			var r GuestResult
			if err := json.Unmarshal([]byte(rest), &r); err != nil || r.Func == "" || !validSlots(r.Slots) {
				b.Garbled = append(b.Garbled, line)
				continue
			}
			b.Results = append(b.Results, r)
			step = Crash{Index: -1}
		case "fatal":
			b.Fatal = rest
		case "done":
			b.Done = true
		default:
			b.Garbled = append(b.Garbled, line)
		}
	}
	if !b.Done && b.Fatal == "" {
		c := step
		c.Text = strings.Join(report, "\n")
		c.Hang = report == nil && hung
		b.Crash = &c
	}
	return b
}

// String is one line for a person.
func (c *Crash) String() string {
	what := "the kernel crashed"
	if c.Hang {
		what = "the guest hung"
	} else if c.Text == "" {
		what = "the console output ended"
	}
	if c.Index < 0 {
		return what + " outside any function's step"
	}
	s := fmt.Sprintf("%s at %s of %s", what, c.Step, c.Func)
	if c.Text != "" {
		first, _, _ := strings.Cut(c.Text, "\n")
		s += ": " + strings.TrimSpace(first)
	}
	return s
}

// validSlots reports whether slots is absent or the guest's
// MAX_BPF_FUNC_ARGS 16-digit hex values.
func validSlots(slots []string) bool {
	if len(slots) != 0 && len(slots) != layout.MaxFuncArgs {
		return false
	}
	for _, h := range slots {
		if _, err := strconv.ParseUint(h, 16, 64); err != nil || len(h) != 16 {
			return false
		}
	}
	return true
}
