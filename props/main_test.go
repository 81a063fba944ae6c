package props

import (
	"flag"
	"os"
	"testing"
)

// TestMain turns off rapid's fail files unless -rapid.nofailfile is given.
// rapid replays every file under testdata/rapid before drawing new cases,
// so one failure would make every later run of the same code fail; a
// failure here prints its -rapid.seed, which reproduces it exactly.
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "rapid.nofailfile" })
	if !set {
		flag.Set("rapid.nofailfile", "true")
	}
	os.Exit(m.Run())
}
