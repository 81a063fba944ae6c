package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/trampfuzz/trampfuzz/check"
)

func init() {
	register("classes", "list the reviewed known mismatch classes (check/known_classes.yaml)", runClasses)
}

func runClasses(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("classes", "", stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	verbose := fs.Bool("v", false, "print each class's explanation and what real kernels showed of it (check/kernel_confirmations.json)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	k := check.Known()
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(k.Classes)
		return exitOK
	}
	for _, c := range k.Classes {
		reach := ""
		if !c.Reachable {
			reach = " (not reachable in kernel builds)"
		}
		fmt.Fprintf(stdout, "- %s%s\n    targets: %s\n", c.Problem, reach, strings.Join(c.Targets, " "))
		if *verbose {
			fmt.Fprintf(stdout, "    %s\n", c.Explanation)
			for _, cf := range check.ConfirmationsOf(c.Problem) {
				switch cf.Result {
				case check.ConfirmedOnKernel:
					fmt.Fprintf(stdout, "    confirmed on %s (%s) under QEMU: BPF saw %s\n", cf.Kernel, cf.Release, cf.Saw)
				case check.NotReproduced:
					fmt.Fprintf(stdout, "    NOT reproduced on %s (%s): %s\n", cf.Kernel, cf.Release, cf.Why)
				default:
					fmt.Fprintf(stdout, "    not reachable on %s (%s): %s\n", cf.Kernel, cf.Release, cf.Why)
				}
			}
		}
	}
	return exitOK
}
