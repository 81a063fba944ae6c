// Package shrink minimizes a C signature while a predicate keeps holding
// ("the same mismatch class on the same target"), so a kernel developer
// reads two arguments instead of twelve.
//
// The result is 1-minimal with respect to the moves below: no single move
// applied to it gives a valid signature that is smaller and still satisfies
// the predicate. Moves, tried in this order each round:
//   - drop arguments (halves first, then one at a time), merge two adjacent
//     small arguments into one __int128, make the return type void;
//   - per type position: unwrap a typedef, replace a record by one of its
//     members' types or by a scalar of the same size, replace an array by
//     its element or shorten it, an enum by its integer type, a pointer by
//     void *, a scalar by a simpler one (int → char, double → float,
//     __int128 → long, long double → double, ...);
//   - per record: drop a member, drop packed or aligned(N), lower aligned(N),
//     the same on each member, turn a bit-field into a plain member, splice a
//     nested record's members into its parent;
//   - per typedef: drop or lower aligned(N); per enum: drop an enumerator;
//   - last, rename everything canonically (f, a0…, s1…, m0…, t1…, e1…).
//
// A candidate is accepted only if it passes ctype.Check, is strictly smaller
// by a well-founded measure (so shrinking terminates), has not been tried
// before, and satisfies the predicate. The same input and predicate always
// give the same output.
package shrink

import (
	"errors"
	"time"

	"github.com/trampfuzz/trampfuzz/ctype"
)

// Predicate reports whether a candidate still shows the failure.
type Predicate func(*ctype.Func) bool

// Options bound a minimization. The zero value has no bounds.
type Options struct {
	// MaxTests caps predicate calls (0: no cap).
	MaxTests int
	// Timeout stops shrinking after this long, keeping the best so far
	// (0: none).
	Timeout time.Duration
	// Trace, when set, is called with each accepted move's name.
	Trace func(move string, fn *ctype.Func)
}

// Stats describes one minimization.
type Stats struct {
	Tests    int  // predicate calls
	Accepted int  // moves accepted
	Complete bool // false when MaxTests or Timeout cut it short (not 1-minimal)
}

// ErrNotReproducing is returned when the input itself does not satisfy the
// predicate.
var ErrNotReproducing = errors.New("the input does not reproduce")

// Minimize returns a 1-minimal signature satisfying pred. fn is not
// modified.
func Minimize(fn *ctype.Func, pred Predicate, opts Options) (*ctype.Func, Stats, error) {
	var st Stats
	if err := ctype.Check(fn); err != nil {
		return nil, st, err
	}
	cur := ctype.Copy(fn)
	st.Tests++
	if !pred(cur) {
		return nil, st, ErrNotReproducing
	}
	var deadline time.Time
	if opts.Timeout > 0 {
		deadline = time.Now().Add(opts.Timeout)
	}
	seen := map[string]bool{ctype.Render(cur): true}
	out := func() bool {
		return (opts.MaxTests > 0 && st.Tests >= opts.MaxTests) || (!deadline.IsZero() && time.Now().After(deadline))
	}
	try := func(m move) bool {
		cand := ctype.Copy(cur)
		if !m.apply(cand) || ctype.Check(cand) != nil || !less(measure(cand), measure(cur)) {
			return false
		}
		text := ctype.Render(cand)
		if seen[text] {
			return false
		}
		seen[text] = true
		st.Tests++
		if !pred(cand) {
			return false
		}
		cur = cand
		st.Accepted++
		if opts.Trace != nil {
			opts.Trace(m.name, cur)
		}
		return true
	}
	for {
		if out() {
			return cur, st, nil
		}
		progressed := false
		for _, m := range moves(cur) {
			if out() {
				return cur, st, nil
			}
			if try(m) {
				progressed = true
				break
			}
		}
		if !progressed {
			break
		}
	}
	if renamed := ctype.Copy(cur); canonicalNames(renamed) && ctype.Check(renamed) == nil && ctype.Render(renamed) != ctype.Render(cur) {
		st.Tests++
		if pred(renamed) {
			cur = renamed
			st.Accepted++
			if opts.Trace != nil {
				opts.Trace("rename canonically", cur)
			}
		}
	}
	st.Complete = true
	return cur, st, nil
}
