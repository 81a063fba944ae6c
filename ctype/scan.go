package ctype

import (
	"fmt"
	"sort"
	"strings"
)

// Pos is a position in a source file, computed only when an error needs it.
type Pos struct {
	File   string
	Line   int // 1-based
	Column int // 1-based, in bytes
}

func (p Pos) String() string {
	f := p.File
	if f == "" {
		f = "<input>"
	}
	return fmt.Sprintf("%s:%d:%d", f, p.Line, p.Column)
}

// Error is one positioned parse error.
type Error struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// ErrorList is every error of one Parse, sorted by position.
type ErrorList []*Error

func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	return fmt.Sprintf("%s (and %d more errors)", l[0], len(l)-1)
}

// Err returns nil for an empty list, else the list.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i].Pos, l[j].Pos
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return l
}

type tokKind uint8

const (
	tEOF tokKind = iota
	tIdent
	tNumber
	tPunct
)

type token struct {
	kind tokKind
	text string
	off  int // byte offset of the first byte
}

func (t token) String() string {
	switch t.kind {
	case tEOF:
		return "end of file"
	case tIdent:
		return "identifier " + t.text
	case tNumber:
		return "number " + t.text
	}
	return "'" + t.text + "'"
}

// lexer turns source into tokens; comments and white space are dropped.
type lexer struct {
	src  string
	off  int
	errs func(off int, format string, args ...any)
}

// Byte classes for the lexer and IsIdent: one table lookup per byte instead
// of a chain of comparisons (which go test -fuzz instruments one by one).
const (
	classOther = iota
	classSpace
	classIdent // _ a-z A-Z: starts and continues an identifier
	classDigit // 0-9: starts a number, continues either
)

var byteClass = func() (t [256]uint8) {
	for _, c := range []byte(" \t\n\r\f\v") {
		t[c] = classSpace
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = classIdent, classIdent
	}
	t['_'] = classIdent
	for c := '0'; c <= '9'; c++ {
		t[c] = classDigit
	}
	return t
}()

func (lx *lexer) next() token {
	for lx.off < len(lx.src) {
		c := lx.src[lx.off]
		switch {
		case byteClass[c] == classSpace:
			lx.off++
			continue
		case strings.HasPrefix(lx.src[lx.off:], "//"):
			for lx.off < len(lx.src) && lx.src[lx.off] != '\n' {
				lx.off++
			}
			continue
		case strings.HasPrefix(lx.src[lx.off:], "/*"):
			end := strings.Index(lx.src[lx.off+2:], "*/")
			if end < 0 {
				lx.errs(lx.off, "comment not terminated")
				lx.off = len(lx.src)
				continue
			}
			lx.off += 2 + end + 2
			continue
		case c == '\\' && lx.off+1 < len(lx.src) && (lx.src[lx.off+1] == '\n' || lx.src[lx.off+1] == '\r'):
			lx.off += 2 // line continuation
			continue
		}
		break
	}
	if lx.off >= len(lx.src) {
		return token{kind: tEOF, off: len(lx.src)}
	}
	start := lx.off
	c := lx.src[start]
	if cl := byteClass[c]; cl == classIdent || cl == classDigit {
		lx.off++
		for lx.off < len(lx.src) && byteClass[lx.src[lx.off]] >= classIdent {
			lx.off++
		}
		kind := tIdent
		if cl == classDigit {
			kind = tNumber
		}
		return token{kind: kind, text: lx.src[start:lx.off], off: start}
	}
	// Punctuators: the three of more than one byte, else one byte (an
	// unknown one too, for the parser to reject).
	n := 1
	switch {
	case strings.HasPrefix(lx.src[start:], "..."):
		n = 3
	case strings.HasPrefix(lx.src[start:], "<<"), strings.HasPrefix(lx.src[start:], ">>"):
		n = 2
	}
	lx.off += n
	return token{kind: tPunct, text: lx.src[start:lx.off], off: start}
}

// position turns a byte offset into a Pos.
func position(file, src string, off int) Pos {
	if off > len(src) {
		off = len(src)
	}
	line := 1 + strings.Count(src[:off], "\n")
	col := off - strings.LastIndex(src[:off], "\n")
	return Pos{File: file, Line: line, Column: col}
}
