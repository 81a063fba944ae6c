package check

import (
	_ "embed"
	"fmt"
	"path"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// KnownClass is one reviewed mismatch class.
type KnownClass struct {
	// Problem is the class key without its target prefix.
	Problem string `yaml:"problem" json:"problem"`
	// Targets are glob patterns (path.Match) over target names, e.g.
	// "arm64/v6.1[67]+pahole-1.24" or "arm64/*+pahole-*".
	Targets []string `yaml:"targets" json:"targets"`
	// Reachable is false when the shape needs floating point, which arm64
	// kernel code never passes (-mgeneral-regs-only).
	Reachable bool `yaml:"reachable" json:"reachable"`
	// Explanation says what goes wrong, where in the kernel and pahole, and
	// since when.
	Explanation string `yaml:"explanation" json:"explanation"`
}

// KnownClasses is the reviewed list.
type KnownClasses struct {
	Classes []KnownClass `yaml:"classes"`
}

//go:embed known_classes.yaml
var knownYAML []byte

var (
	knownOnce sync.Once
	known     *KnownClasses
	knownErr  error
)

// Known returns the reviewed list shipped in known_classes.yaml. It panics
// if the file does not parse, which TestKnownClassesParse catches.
func Known() *KnownClasses {
	knownOnce.Do(func() { known, knownErr = ParseKnown(knownYAML) })
	if knownErr != nil {
		panic(knownErr)
	}
	return known
}

// ParseKnown reads a known-class list.
func ParseKnown(data []byte) (*KnownClasses, error) {
	var k KnownClasses
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&k); err != nil {
		return nil, fmt.Errorf("known classes: %w", err)
	}
	for i, c := range k.Classes {
		if c.Problem == "" || len(c.Targets) == 0 || c.Explanation == "" {
			return nil, fmt.Errorf("known classes: entry %d: problem, targets and explanation are required", i)
		}
		for _, p := range c.Targets {
			if _, err := path.Match(p, ""); err != nil {
				return nil, fmt.Errorf("known classes: entry %d: bad target pattern %q: %v", i, p, err)
			}
		}
	}
	return &k, nil
}

// Lookup returns the entry for a class key ("TARGET: PROBLEM"), or nil.
func (k *KnownClasses) Lookup(class string) *KnownClass {
	target, problem, ok := strings.Cut(class, ": ")
	if !ok {
		return nil
	}
	for i := range k.Classes {
		c := &k.Classes[i]
		if c.Problem != problem {
			continue
		}
		for _, p := range c.Targets {
			if ok, _ := path.Match(p, target); ok {
				return c
			}
		}
	}
	return nil
}
