package main

import (
	"fmt"
	"io"
	"os"

	"github.com/trampfuzz/trampfuzz/ctype"
)

// readFunc reads and parses one C file ("-" is standard input).
func readFunc(path string) (*ctype.Func, error) {
	var src []byte
	var err error
	if path == "-" {
		src, err = io.ReadAll(os.Stdin)
		path = "<stdin>"
	} else {
		src, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, err
	}
	return ctype.Parse(path, src)
}

// badInput prints err for the user and returns the bad-input exit code.
func badInput(stderr io.Writer, err error) int {
	fmt.Fprintln(stderr, err)
	return exitBadInput
}
