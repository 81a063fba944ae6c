// Package campaign runs trampfuzz's fuzzing campaign outside go test:
// random signatures through check.Run on every target, N workers, until a
// duration or a count is reached or the context is cancelled. Every new
// mismatch class is reported once, with the first signature that showed
// it; the caller minimizes it and writes the report (trampfuzz run does).
//
// Signatures come from gen.FromBytes over pseudo-random bytes, so a
// campaign with a given seed and one worker is reproducible, and a
// finding's input bytes are a valid FuzzCheck input (see package fuzz).
package campaign

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/trampfuzz/trampfuzz/check"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/gen"
)

// Config says what to run. The zero value runs one worker on every target
// with the kernel profile until the context is cancelled.
type Config struct {
	// Targets to check each signature on (nil: check.Targets()).
	Targets []check.Target
	// Profile draws the signatures (zero value: gen.Kernel).
	Profile gen.Profile
	// Workers is the number of goroutines (≤ 0: 1).
	Workers int
	// Duration stops the campaign after this long (0: no limit).
	Duration time.Duration
	// Count stops it after this many signatures (0: no limit).
	Count int64
	// Seed makes the signatures reproducible per worker.
	Seed uint64
	// InputBytes is the length of each generator input (0: 256).
	InputBytes int
}

// Finding is the first signature that showed a mismatch class.
type Finding struct {
	Class   string
	Target  check.Target
	Func    *ctype.Func
	Verdict *check.Verdict
	// Input is the generator bytes (gen.FromBytes with Config.Profile).
	Input []byte
	// Elapsed is the time from the start of the campaign to the find.
	Elapsed time.Duration
}

// Stats are running totals.
type Stats struct {
	Signatures int64 // signatures generated
	Checks     int64 // check.Run calls (signatures × targets)
	Mismatches int64
	Rejected   int64
	Classes    int   // distinct mismatch classes
	Errors     int64 // check.Run errors (a bug: gen produces valid signatures)
	Elapsed    time.Duration
}

// Campaign is one run; its Stats can be read while it runs.
type Campaign struct {
	cfg   Config
	start time.Time

	signatures, checks, mismatches, rejected, errs atomic.Int64

	mu   sync.Mutex
	seen map[string]bool
}

// New prepares a campaign, filling in Config's defaults.
func New(cfg Config) *Campaign {
	if cfg.Targets == nil {
		cfg.Targets = check.Targets()
	}
	if cfg.Profile == (gen.Profile{}) {
		cfg.Profile = gen.Kernel
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 1
	}
	if cfg.InputBytes <= 0 {
		cfg.InputBytes = 256
	}
	return &Campaign{cfg: cfg, seen: map[string]bool{}}
}

// Stats returns the running totals; safe to call while Run runs.
func (c *Campaign) Stats() Stats {
	c.mu.Lock()
	classes := len(c.seen)
	c.mu.Unlock()
	n := c.signatures.Load()
	if c.cfg.Count > 0 && n > c.cfg.Count {
		n = c.cfg.Count
	}
	var elapsed time.Duration
	if !c.start.IsZero() {
		elapsed = time.Since(c.start)
	}
	return Stats{Signatures: n, Checks: c.checks.Load(), Mismatches: c.mismatches.Load(), Rejected: c.rejected.Load(),
		Classes: classes, Errors: c.errs.Load(), Elapsed: elapsed}
}

// Run runs the campaign until Duration, Count or ctx ends it. onFind is
// called once per new class, from the worker that found it (calls are
// serialized); it may take long (a minimization) while the other workers
// go on.
func (c *Campaign) Run(ctx context.Context, onFind func(Finding)) Stats {
	cfg := c.cfg
	if cfg.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.Duration)
		defer cancel()
	}
	c.start = time.Now()
	var findMu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < cfg.Workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(cfg.Seed, uint64(w)))
			buf := make([]byte, cfg.InputBytes)
			for ctx.Err() == nil {
				if n := c.signatures.Add(1); cfg.Count > 0 && n > cfg.Count {
					return
				}
				for i := range buf {
					buf[i] = byte(rng.Uint32())
				}
				fn, err := gen.FromBytes(buf, cfg.Profile)
				if err != nil {
					continue
				}
				for _, t := range cfg.Targets {
					if ctx.Err() != nil {
						return
					}
					c.checks.Add(1)
					v, err := check.Run(fn, t)
					switch {
					case err != nil:
						c.errs.Add(1)
						continue
					case v.Kind == check.Rejected:
						c.rejected.Add(1)
						continue
					case v.Kind != check.Mismatch:
						continue
					}
					c.mismatches.Add(1)
					c.mu.Lock()
					isNew := !c.seen[v.Class]
					c.seen[v.Class] = true
					c.mu.Unlock()
					if isNew && onFind != nil {
						f := Finding{Class: v.Class, Target: t, Func: fn, Verdict: v,
							Input: append([]byte(nil), buf...), Elapsed: time.Since(c.start)}
						findMu.Lock()
						onFind(f)
						findMu.Unlock()
					}
				}
			}
		}(w)
	}
	wg.Wait()
	return c.Stats()
}
