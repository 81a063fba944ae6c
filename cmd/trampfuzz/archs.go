package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/trampfuzz/trampfuzz/arch"
	"github.com/trampfuzz/trampfuzz/layout"
	"github.com/trampfuzz/trampfuzz/oracle"
)

func init() {
	register("archs", "list the architectures: ABIs and their variants, kernel models, compilers", runArchs)
}

// archInfo is one architecture as `trampfuzz archs -json` prints it.
type archInfo struct {
	Name      string         `json:"name"`
	Aliases   []string       `json:"aliases"`
	Triple    string         `json:"triple"`
	ABI       oracle.ABIInfo `json:"abi"`
	Kernels   []string       `json:"kernels"`
	Compilers []string       `json:"compilers"`
	RunUnder  string         `json:"run_under,omitempty"`
	Kernel    []string       `json:"kernel_cflags"`
}

func runArchs(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("archs", "", stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	var infos []archInfo
	for _, a := range arch.All() {
		abi, err := oracle.ABIOf(a)
		if err != nil {
			fmt.Fprintln(stderr, "trampfuzz archs:", err)
			return exitBadInput
		}
		info := archInfo{Name: a.Name, Aliases: a.Aliases, Triple: a.Triple, ABI: oracle.Info(abi), RunUnder: a.QEMUUser, Kernel: a.KernelCFlags,
			Compilers: []string{a.Triple + "-gcc", "clang --target=" + a.Triple}}
		for _, k := range layout.KernelsOf(a.Name) {
			info.Kernels = append(info.Kernels, a.Name+"/"+k.Name)
		}
		infos = append(infos, info)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(infos)
		return exitOK
	}
	for _, in := range infos {
		fmt.Fprintf(stdout, "%s (%s; %s)\n", in.Name, strings.Join(in.Aliases, ", "), in.Triple)
		fmt.Fprintf(stdout, "  ABI: %s\n", in.ABI.Name)
		for _, v := range in.ABI.Variants {
			fmt.Fprintf(stdout, "    -abi %-16s %s\n", v.Name, v.Doc)
		}
		fmt.Fprintf(stdout, "  kernel models: %s\n", strings.Join(in.Kernels, " "))
		run := "natively"
		if in.RunUnder != "" {
			run = "under " + in.RunUnder
		}
		fmt.Fprintf(stdout, "  compilers: %s (run %s); kernels build with %s\n", strings.Join(in.Compilers, ", "), run, strings.Join(in.Kernel, " "))
	}
	return exitOK
}
