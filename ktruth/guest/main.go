// Command guest is the /init of the kernel-truth initramfs: it loads the
// test module, then for each of its functions loads and attaches one fentry
// program that reads every ctx slot with bpf_get_func_arg and the count with
// bpf_get_func_arg_cnt, triggers the function through the module's "run"
// parameter, prints what the program saw and powers the machine off.
//
// Every line it prints starts with "TFK " (ktruth.ParseConsole reads them
// from the console, where kernel messages may interleave). A "TFK step"
// line comes before each load, attach and call, so that an oops or a hang
// names the function it happened in.
//
// It is built by ktruth for the guest's architecture (CGO_ENABLED=0) and
// runs as PID 1; it is not meant to run anywhere else.
package main

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"
)

// maxSlots is MAX_BPF_FUNC_ARGS: bpf_get_func_arg is asked for every slot a
// function can have; past the count it returns -EINVAL and writes 0.
const maxSlots = 12

// The map value: hits, count, then the slots.
const (
	valHits  = 0
	valCount = 8
	valSlots = 16
	valSize  = valSlots + 8*maxSlots
)

// result is one function's line; ktruth.guestResult reads it.
type result struct {
	Index       int      `json:"i"`
	Func        string   `json:"func"`
	LoadError   string   `json:"load_error,omitempty"`
	NotInBTF    bool     `json:"not_in_btf,omitempty"` // the load failed because no BTF names the function
	AttachError string   `json:"attach_error,omitempty"`
	Errno       int      `json:"errno,omitempty"`
	CallError   string   `json:"call_error,omitempty"`
	Hits        uint64   `json:"hits"`
	Count       uint64   `json:"count"`
	Slots       []string `json:"slots,omitempty"` // 16 hex digits each, the u64 as the program read it
}

func say(format string, args ...any) {
	fmt.Printf("TFK "+format+"\n", args...)
}

func main() {
	if err := run(); err != nil {
		say("fatal %s", strings.ReplaceAll(err.Error(), "\n", " | "))
	}
	unix.Sync()
	unix.Reboot(unix.LINUX_REBOOT_CMD_POWER_OFF)
}

func run() error {
	for _, m := range []struct{ src, dst, fs string }{{"proc", "/proc", "proc"}, {"sysfs", "/sys", "sysfs"}} {
		os.MkdirAll(m.dst, 0o755)
		if err := unix.Mount(m.src, m.dst, m.fs, 0, ""); err != nil {
			return fmt.Errorf("mount %s: %v", m.dst, err)
		}
	}
	var uts unix.Utsname
	unix.Uname(&uts)
	say("boot %s", unix.ByteSliceToString(uts.Release[:]))
	funcs, err := readFuncs("/funcs.txt")
	if err != nil {
		return err
	}
	mod, err := os.ReadFile("/tfk.ko")
	if err != nil {
		return err
	}
	if err := unix.InitModule(mod, ""); err != nil {
		return fmt.Errorf("init_module: %v", err)
	}
	say("module %d", len(funcs))
	values, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: valSize, MaxEntries: uint32(max(1, len(funcs)))})
	if err != nil {
		return fmt.Errorf("array map: %v", err)
	}
	// One cache for every load: without it each load parses vmlinux's and
	// the module's BTF again.
	cache := btf.NewCache()
	for i, name := range funcs {
		r := probe(i, name, values, cache)
		line, _ := json.Marshal(r)
		say("result %s", line)
	}
	say("done")
	return nil
}

// readFuncs reads one function name a line.
func readFuncs(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	s := bufio.NewScanner(f)
	for s.Scan() {
		if t := strings.TrimSpace(s.Text()); t != "" {
			out = append(out, t)
		}
	}
	return out, s.Err()
}

// probe loads, attaches and triggers function i, and reads what its
// program saw.
func probe(i int, name string, values *ebpf.Map, cache *btf.Cache) result {
	r := result{Index: i, Func: name}
	say("step load %d %s", i, name)
	spec := &ebpf.CollectionSpec{Programs: map[string]*ebpf.ProgramSpec{"p": {
		Type: ebpf.Tracing, AttachType: ebpf.AttachTraceFEntry, AttachTo: name, License: "GPL",
		Instructions: program(i, values.FD()),
	}}}
	coll, err := ebpf.NewCollectionWithOptions(spec, ebpf.CollectionOptions{Cache: cache})
	if err != nil {
		r.LoadError, r.Errno = oneLine(err), errnoOf(err)
		r.NotInBTF = errors.Is(err, btf.ErrNotFound)
		return r
	}
	defer coll.Close()
	say("step attach %d %s", i, name)
	l, err := link.AttachTracing(link.TracingOptions{Program: coll.Programs["p"], AttachType: ebpf.AttachTraceFEntry})
	if err != nil {
		r.AttachError, r.Errno = oneLine(err), errnoOf(err)
		return r
	}
	defer l.Close()
	say("step call %d %s", i, name)
	if err := os.WriteFile("/sys/module/tfk/parameters/run", []byte(strconv.Itoa(i)), 0); err != nil {
		r.CallError = oneLine(err)
		return r
	}
	var v [valSize]byte
	if err := values.Lookup(uint32(i), &v); err != nil {
		r.CallError = "map lookup: " + oneLine(err)
		return r
	}
	r.Hits = binary.NativeEndian.Uint64(v[valHits:])
	r.Count = binary.NativeEndian.Uint64(v[valCount:])
	for s := 0; s < maxSlots; s++ {
		r.Slots = append(r.Slots, fmt.Sprintf("%016x", binary.NativeEndian.Uint64(v[valSlots+8*s:])))
	}
	return r
}

// program is the fentry program of function i: look up value i, store
// bpf_get_func_arg_cnt(ctx) and bpf_get_func_arg(ctx, n, &v) for every n,
// count the hit.
func program(i, mapFD int) asm.Instructions {
	insns := asm.Instructions{
		asm.Mov.Reg(asm.R6, asm.R1),
		asm.Mov.Imm(asm.R1, int32(i)),
		asm.StoreMem(asm.RFP, -4, asm.R1, asm.Word),
		asm.LoadMapPtr(asm.R1, mapFD),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -4),
		asm.FnMapLookupElem.Call(),
		asm.JEq.Imm(asm.R0, 0, "out"),
		asm.Mov.Reg(asm.R7, asm.R0),
		asm.Mov.Reg(asm.R1, asm.R6),
		asm.FnGetFuncArgCnt.Call(),
		asm.StoreMem(asm.R7, valCount, asm.R0, asm.DWord),
	}
	for n := 0; n < maxSlots; n++ {
		insns = append(insns,
			// The helper writes 0 on error; the slot is zeroed first so the
			// verifier sees initialised memory on every kernel.
			asm.Mov.Imm(asm.R1, 0),
			asm.StoreMem(asm.RFP, -16, asm.R1, asm.DWord),
			asm.Mov.Reg(asm.R1, asm.R6),
			asm.Mov.Imm(asm.R2, int32(n)),
			asm.Mov.Reg(asm.R3, asm.RFP),
			asm.Add.Imm(asm.R3, -16),
			asm.FnGetFuncArg.Call(),
			asm.LoadMem(asm.R1, asm.RFP, -16, asm.DWord),
			asm.StoreMem(asm.R7, int16(valSlots+8*n), asm.R1, asm.DWord),
		)
	}
	return append(insns,
		asm.LoadMem(asm.R1, asm.R7, valHits, asm.DWord),
		asm.Add.Imm(asm.R1, 1),
		asm.StoreMem(asm.R7, valHits, asm.R1, asm.DWord),
		asm.Mov.Imm(asm.R0, 0).WithSymbol("out"),
		asm.Return(),
	)
}

func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", " | ") }

// errnoOf is the errno an error wraps (0: none); the kernel's ENOTSUPP is 524.
func errnoOf(err error) int {
	var errno unix.Errno
	if errors.As(err, &errno) {
		return int(errno)
	}
	return 0
}
