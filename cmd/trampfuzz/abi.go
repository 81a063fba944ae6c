package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/trampfuzz/trampfuzz/oracle"
)

func init() {
	register("abi", "print where the calling convention (AAPCS64 by default, -abi sysv for x86-64) puts every argument byte, and the rule that put it there", runABI)
}

// abiVariantEnv sets the default of -abi.
const abiVariantEnv = "TRAMPFUZZ_ABI"

// runABI places the signature of FILE.c with the oracle. The JSON form is
// the loc.Placement shape the truth command also prints per compiler:
//
//	{"func":"f","args":[{"index":0,"name":"a0","type":"int","size":4,"bytes":["x0.0",…],"rules":["AAPCS64 2025Q4 C.9"]}]}
//
// Every rule carries its release ("AAPCS64 2025Q4 C.9"); behaviour that
// follows the compilers rather than the spec text is named after them
// ("GNU C: empty record takes no slot", "clang14: …"). The text form is one
// line per argument, runs of bytes folded (loc.Placement.String).
func runABI(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("abi", "FILE.c", stderr)
	def := oracle.AAPCS64.Default().Name
	if env := os.Getenv(abiVariantEnv); env != "" {
		def = env
	}
	var doc strings.Builder
	doc.WriteString("ABI `variant` (env " + abiVariantEnv + "):")
	for _, abi := range oracle.ABIs() {
		for _, v := range abi.Variants() {
			fmt.Fprintf(&doc, "\n    %s: %s", v.Name, v.Doc)
		}
	}
	variant := fs.String("abi", def, doc.String())
	asJSON := fs.Bool("json", false, `print JSON: {"func":"f","args":[{"index":0,"type":"int","size":4,"bytes":["x0.0",…],"rules":[…]}]}`)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitBadInput
	}
	v, err := oracle.Lookup(*variant)
	if err != nil {
		return badInput(stderr, err) // an unknown variant, before reading the file
	}
	fn, err := readFunc(fs.Arg(0))
	if err != nil {
		return badInput(stderr, err)
	}
	p, err := v.Place(fn)
	if err != nil {
		return badInput(stderr, err)
	}
	if *asJSON {
		if err := json.NewEncoder(stdout).Encode(p); err != nil {
			fmt.Fprintln(stderr, "trampfuzz abi:", err)
			return exitBadInput
		}
		return exitOK
	}
	if len(p.Args) > 0 {
		fmt.Fprintln(stdout, p.String())
	}
	return exitOK
}
