package main

import (
	"io"

	"github.com/trampfuzz/trampfuzz/ctype"
)

func init() {
	register("parse", "print a C file's signature as canonical C text", runParse)
}

func runParse(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("parse", "FILE.c", stderr)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitBadInput
	}
	fn, err := readFunc(fs.Arg(0))
	if err != nil {
		return badInput(stderr, err)
	}
	io.WriteString(stdout, ctype.Render(fn))
	return exitOK
}
