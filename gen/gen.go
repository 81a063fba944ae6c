// Package gen draws random C function signatures (ctype.Func) and record
// types for trampfuzz, weighted toward the edges of argument passing: the
// x7/stack boundary, __int128, 16-byte alignment from aligned(N), packed
// records, homogeneous floating-point aggregates (AAPCS64 2025Q4 §5.9.5),
// 9–16-byte records, bit-fields, unions, enums and pointers.
//
// One generation routine is written against a tiny source of choices
// (source.intn) with two implementations: one over a *rapid.T (Func,
// Record: rapid records and shrinks the choices) and one over raw fuzzer
// bytes through go-fuzz-headers (FromBytes). Both therefore draw the same
// shapes; only the primitive draws differ (rapid biases each integer draw
// toward small and boundary values, the byte source reads one byte per
// choice). In both, choice 0 is the simplest: rapid shrinks toward it and
// FromBytes takes it once the bytes run out, so shorter inputs give smaller
// signatures.
//
// Every signature passes ctype.Check. Names are fixed by position: the
// function is f, parameters a0, a1, …, records s1, s2, …, members m0, m1, …
// (unique inside a record, anonymous members included), enums e1, e2, …
// with enumerators E1_A, E1_B, …, typedefs t1, t2, ….
package gen

import (
	"errors"
	"fmt"
	"strconv"
	"sync"

	fuzz "github.com/AdaLogics/go-fuzz-headers"
	"pgregory.net/rapid"

	"github.com/trampfuzz/trampfuzz/ctype"
)

// Profile sets what a generator may draw. Its zero value is valid and draws
// f(void) returning a random type, with records nested up to
// DefaultMaxDepth and at most DefaultMaxMembers members each.
type Profile struct {
	// MinArgs and MaxArgs bound the number of parameters. Counts above
	// RegularMaxArgs are drawn only ManyArgsPercent of the time (when
	// MinArgs ≤ RegularMaxArgs), the rest from MinArgs..RegularMaxArgs.
	MinArgs, MaxArgs int
	// ManyArgsPercent is the share (0–100) of signatures with more than
	// RegularMaxArgs parameters, which kernels reject.
	ManyArgsPercent int
	// Floats allows float, double and long double anywhere (parameters,
	// members, pointees, return type) and so HFAs. Off for kernel code,
	// which arm64 builds with -mgeneral-regs-only.
	Floats bool
	// MaxDepth bounds the nesting of records inside records by value
	// (1: no record members); 0 means DefaultMaxDepth.
	MaxDepth int
	// MaxMembers bounds the members of one record; 0 means
	// DefaultMaxMembers.
	MaxMembers int
}

const (
	// RegularMaxArgs is the most arguments a BPF trampoline handles
	// (MAX_BPF_FUNC_ARGS, include/linux/bpf.h).
	RegularMaxArgs = 12
	// DefaultMaxDepth is the record nesting of a zero Profile.MaxDepth.
	DefaultMaxDepth = 3
	// DefaultMaxMembers is the member bound of a zero Profile.MaxMembers.
	DefaultMaxMembers = 6
	// maxArgsLimit bounds Profile.MaxArgs: more says nothing new.
	maxArgsLimit = 64
	// maxArrayBytes caps one array, so nested arrays of records stay far
	// below ctype.MaxSize and compile quickly.
	maxArrayBytes = 512
)

// Full draws every kind ctype models: 1–12 arguments, 13–16 in 3% of
// signatures, floating point and HFAs on.
var Full = Profile{MinArgs: 1, MaxArgs: 16, ManyArgsPercent: 3, Floats: true, MaxDepth: 3, MaxMembers: 6}

// Kernel draws what an arm64 kernel function can take: like Full, but with
// no float, double, long double or HFA anywhere, since arm64 kernels build
// with -mgeneral-regs-only (arch/arm64/Makefile).
var Kernel = Profile{MinArgs: 1, MaxArgs: 16, ManyArgsPercent: 3, Floats: false, MaxDepth: 3, MaxMembers: 6}

// ErrProfile is wrapped by the error for an unusable Profile.
var ErrProfile = errors.New("gen: invalid profile")

// Validate reports whether p can be used.
func (p Profile) Validate() error {
	switch {
	case p.MinArgs < 0 || p.MaxArgs < p.MinArgs:
		return fmt.Errorf("%w: arguments %d..%d", ErrProfile, p.MinArgs, p.MaxArgs)
	case p.MaxArgs > maxArgsLimit:
		return fmt.Errorf("%w: MaxArgs %d is more than %d", ErrProfile, p.MaxArgs, maxArgsLimit)
	case p.ManyArgsPercent < 0 || p.ManyArgsPercent > 100:
		return fmt.Errorf("%w: ManyArgsPercent %d is not a percentage", ErrProfile, p.ManyArgsPercent)
	case p.MaxDepth < 0 || p.MaxDepth > 8:
		return fmt.Errorf("%w: MaxDepth %d is not in 0..8", ErrProfile, p.MaxDepth)
	case p.MaxMembers < 0 || p.MaxMembers > 32:
		return fmt.Errorf("%w: MaxMembers %d is not in 0..32", ErrProfile, p.MaxMembers)
	}
	return nil
}

func (p Profile) withDefaults() Profile {
	if p.MaxDepth == 0 {
		p.MaxDepth = DefaultMaxDepth
	}
	if p.MaxMembers == 0 {
		p.MaxMembers = DefaultMaxMembers
	}
	return p
}

// Func returns a rapid generator of signatures drawn from p. It panics if
// p is invalid (Validate), as rapid's own constructors do.
func Func(p Profile) *rapid.Generator[*ctype.Func] {
	mustValidate(p)
	p = p.withDefaults()
	return rapid.Custom(func(t *rapid.T) *ctype.Func {
		return newBuilder(rapidSource{t}, p).function()
	})
}

// Record returns a rapid generator of named record types (struct s1 and
// the records, enums and typedefs it uses) drawn from p, nested up to
// p.MaxDepth. It panics if p is invalid (Validate).
func Record(p Profile) *rapid.Generator[*ctype.Record] {
	mustValidate(p)
	p = p.withDefaults()
	return rapid.Custom(func(t *rapid.T) *ctype.Record {
		return newBuilder(rapidSource{t}, p).topRecord()
	})
}

// FromBytes draws a signature from p with the choices read from data
// through a go-fuzz-headers consumer. Once data runs out every further
// choice is the simplest one, so any input, even empty, gives a valid
// signature; the only error is an invalid Profile.
func FromBytes(data []byte, p Profile) (*ctype.Func, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	src := byteSource{c: fuzz.NewConsumer(data)}
	return newBuilder(&src, p.withDefaults()).function(), nil
}

func mustValidate(p Profile) {
	if err := p.Validate(); err != nil {
		panic(err)
	}
}

// source is where every choice comes from.
type source interface {
	// intn returns a choice in [0, n), n ≥ 2; 0 is the simplest.
	intn(n int) int
}

// rapidSource draws through rapid, which records and shrinks the choices.
type rapidSource struct{ t *rapid.T }

func (s rapidSource) intn(n int) int { return rangeGen(n).Draw(s.t, "choice") }

// rangeGens caches rapid.IntRange(0, n-1) generators: every draw would
// otherwise allocate one.
var rangeGens sync.Map // int → *rapid.Generator[int]

func rangeGen(n int) *rapid.Generator[int] {
	if g, ok := rangeGens.Load(n); ok {
		return g.(*rapid.Generator[int])
	}
	g, _ := rangeGens.LoadOrStore(n, rapid.IntRange(0, n-1))
	return g.(*rapid.Generator[int])
}

// byteSource reads choices from fuzzer bytes: one byte for n ≤ 256, two
// (big-endian) above; 0 once the bytes run out.
type byteSource struct{ c *fuzz.ConsumeFuzzer }

func (s *byteSource) intn(n int) int {
	hi, err := s.c.GetByte()
	if err != nil {
		return 0
	}
	if n <= 256 {
		return int(hi) % n
	}
	lo, err := s.c.GetByte()
	if err != nil {
		return int(hi) % n
	}
	return (int(hi)<<8 | int(lo)) % n
}

// builder draws one signature or record; it owns the name counters and the
// named types drawn so far, which later draws may reuse.
type builder struct {
	src source
	p   Profile

	nRec, nEnum, nTypedef int
	records               []*ctype.Record // complete named records, reusable by value
	heights               []int           // heights[i]: nesting of records[i] (1: no record members)
	enums                 []*ctype.Enum
	typedefs              []*ctype.Typedef // typedefs of scalars
	open                  []*ctype.Record  // named records being built: pointer targets only
	pointees              int              // records being built only to be pointed to
}

func newBuilder(src source, p Profile) *builder { return &builder{src: src, p: p} }

// addRecord makes a complete named record reusable.
func (b *builder) addRecord(r *ctype.Record) {
	b.records = append(b.records, r)
	b.heights = append(b.heights, ctype.Nesting(r))
}

// reusable counts the records that fit at nesting level depth.
func (b *builder) reusable(depth int) int {
	n := 0
	for _, h := range b.heights {
		if depth+h-1 <= b.p.MaxDepth {
			n++
		}
	}
	return n
}

// reuse returns the k-th record that fits at nesting level depth.
func (b *builder) reuse(depth, k int) *ctype.Record {
	for i, h := range b.heights {
		if depth+h-1 <= b.p.MaxDepth {
			if k == 0 {
				return b.records[i]
			}
			k--
		}
	}
	panic("gen: no reusable record")
}

func (b *builder) intn(n int) int {
	if n <= 1 {
		return 0
	}
	return b.src.intn(n)
}

// between returns a choice in [lo, hi], lo simplest.
func (b *builder) between(lo, hi int) int { return lo + b.intn(hi-lo+1) }

// chance is true pct percent of the time; the simplest choice is false.
func (b *builder) chance(pct int) bool { return b.intn(100) >= 100-pct }

// choose returns index i with probability w[i]/sum(w); index 0 is the
// simplest. A zero weight disables an option.
func (b *builder) choose(w ...int) int {
	total := 0
	for _, x := range w {
		total += x
	}
	k := b.intn(total)
	for i, x := range w {
		if k < x {
			return i
		}
		k -= x
	}
	return len(w) - 1
}

// on turns a condition into a weight.
func on(cond bool, w int) int {
	if cond {
		return w
	}
	return 0
}

func (b *builder) function() *ctype.Func {
	fn := &ctype.Func{Name: "f", Return: b.returnType()}
	n := b.argCount()
	if n > 0 { // f(void) has nil Params, as ctype.Parse gives it
		fn.Params = make([]ctype.Param, n)
	}
	// At the x7/stack boundary: plain integer-class fillers up to the last
	// one or two arguments, which then straddle x7 (or v7).
	boundary := n >= 7 && n <= 10 && b.chance(35)
	for i := range fn.Params {
		var t ctype.Type
		if boundary && i < n-2 {
			t = b.filler()
		} else {
			t = b.paramType()
		}
		fn.Params[i] = ctype.Param{Name: name('a', i), Type: t}
	}
	return fn
}

func (b *builder) argCount() int {
	lo, hi := b.p.MinArgs, b.p.MaxArgs
	regular := min(hi, RegularMaxArgs)
	if lo > regular {
		return b.between(lo, hi)
	}
	if hi > regular && b.chance(b.p.ManyArgsPercent) {
		return b.between(regular+1, hi)
	}
	// Half the rest around the x7/stack boundary: 7–10 arguments.
	if bl, bh := max(lo, 7), min(regular, 10); bl <= bh && b.chance(40) {
		return b.between(bl, bh)
	}
	return b.between(lo, regular)
}

// filler is a simple argument that uses one register: long, int or a
// pointer, or a double when floats are on.
func (b *builder) filler() ctype.Type {
	switch b.choose(6, 3, 2, on(b.p.Floats, 2)) {
	case 1:
		return ctype.TInt
	case 2:
		return &ctype.Pointer{Elem: ctype.TVoid}
	case 3:
		return ctype.TDouble
	}
	return ctype.TLong
}

func (b *builder) returnType() ctype.Type {
	switch b.choose(40, 10, 5, 6, 2, 3, 2, 2, 8, on(b.p.Floats, 6)) {
	case 1:
		return ctype.TInt
	case 2:
		return ctype.TLong
	case 3:
		return b.pointer()
	case 4:
		return ctype.TBool
	case 5:
		return b.int128()
	case 6:
		return b.enum()
	case 7:
		return b.typedef(b.scalar())
	case 8:
		return b.paramRecord()
	case 9:
		return b.float()
	}
	return ctype.TVoid
}

func (b *builder) paramType() ctype.Type {
	switch b.choose(28, 10, 5, 6, 6, on(b.p.Floats, 8), 40) {
	case 1:
		return b.pointer()
	case 2:
		return b.enum()
	case 3:
		return b.typedef(b.paramTypedefTarget())
	case 4:
		return b.int128()
	case 5:
		return b.float()
	case 6:
		return b.paramRecord()
	}
	return b.integer()
}

// paramTypedefTarget is what a parameter's typedef names: a scalar or a
// record.
func (b *builder) paramTypedefTarget() ctype.Type {
	if b.chance(40) {
		return b.paramRecord()
	}
	return b.scalar()
}

// Integer kinds, most common first; __int128 weighted up.
var (
	intKinds   = [...]ctype.BasicKind{ctype.Int, ctype.Long, ctype.Char, ctype.UChar, ctype.SChar, ctype.Short, ctype.UShort, ctype.UInt, ctype.ULong, ctype.LongLong, ctype.ULongLong, ctype.Bool, ctype.Int128, ctype.UInt128}
	intWeights = [...]int{6, 5, 2, 2, 1, 2, 1, 3, 3, 1, 1, 1, 4, 3}
)

func (b *builder) integer() ctype.Type {
	return ctype.BasicOf(intKinds[b.choose(intWeights[:]...)])
}

func (b *builder) int128() ctype.Type {
	if b.chance(40) {
		return ctype.TUInt128
	}
	return ctype.TInt128
}

// float returns float, double or long double (callers check p.Floats).
func (b *builder) float() ctype.Type {
	return ctype.BasicOf([...]ctype.BasicKind{ctype.Double, ctype.Float, ctype.LongDouble}[b.choose(4, 4, 3)])
}

// scalar is a non-record, non-array type: an integer, a float (if
// allowed), a pointer, an enum or a typedef of a scalar.
func (b *builder) scalar() ctype.Type {
	switch b.choose(50, on(b.p.Floats, 15), 12, 8, 8) {
	case 1:
		return b.float()
	case 2:
		return b.pointer()
	case 3:
		return b.enum()
	case 4:
		if td := b.reuseTypedef(); td != nil && b.chance(30) {
			return td
		}
		return b.typedef(b.integer())
	}
	return b.integer()
}

// Alignments for aligned(N), weighted to 8, 16 and 32.
var (
	alignValues  = [...]int64{8, 16, 32, 1, 2, 4, 64}
	alignWeights = [...]int{5, 6, 3, 1, 1, 1, 1}
)

func (b *builder) alignment() int64 { return alignValues[b.choose(alignWeights[:]...)] }

// maybeAligned returns aligned(N) pct percent of the time, else 0.
func (b *builder) maybeAligned(pct int) int64 {
	if b.chance(pct) {
		return b.alignment()
	}
	return 0
}

func (b *builder) pointer() ctype.Type {
	var elem ctype.Type
	switch b.choose(4, 2, 2, on(len(b.records) > 0, 3), 2, on(len(b.open) > 0, 2), 1, 1, 1, on(b.p.Floats, 1)) {
	case 1:
		elem = ctype.TChar
	case 2:
		elem = ctype.TInt
	case 3:
		elem = b.records[b.intn(len(b.records))]
	case 4:
		// A record only ever pointed to: declared (struct s5;) or, less
		// often, defined.
		if b.pointees == 0 && b.chance(30) {
			b.pointees++
			elem = b.record(1, b.chance(20), 0)
			b.pointees--
		} else {
			b.nRec++
			elem = &ctype.Record{Name: name('s', b.nRec), Union: b.chance(20), Incomplete: true}
		}
	case 5:
		elem = b.open[b.intn(len(b.open))] // struct s1 { struct s1 *m0; }
	case 6:
		elem = &ctype.Pointer{Elem: b.integer()}
	case 7:
		elem = b.enum()
	case 8:
		elem = b.typedef(b.integer())
	case 9:
		elem = b.float()
	default:
		elem = ctype.TVoid
	}
	return &ctype.Pointer{Elem: elem}
}

// Enumerator values at the edges of GNU C's choice of the underlying type
// (ctype.EnumBase) and of a packed enum's.
var enumEdges = [...]int64{0, 1, 2, -1, 127, 128, 255, 256, -128, -129, 32767, 32768, 65535, 65536,
	-32768, -32769, 1<<31 - 1, 1 << 31, -1 << 31, -1<<31 - 1, 1<<32 - 1, 1 << 32, 1 << 40, -1 << 40, 1 << 62, -1 << 62}

func (b *builder) enum() ctype.Type {
	if len(b.enums) > 0 && b.chance(25) {
		return b.enums[b.intn(len(b.enums))]
	}
	b.nEnum++
	e := &ctype.Enum{Name: name('e', b.nEnum), Packed: b.chance(20)}
	n := b.between(1, 4)
	e.Values = make([]ctype.Enumerator, n)
	explicit := b.chance(60)
	for i := range e.Values {
		v := int64(i)
		if explicit {
			v = enumEdges[b.intn(len(enumEdges))]
		}
		e.Values[i] = ctype.Enumerator{Name: "E" + strconv.Itoa(b.nEnum) + "_" + letters(i), Value: v}
	}
	b.enums = append(b.enums, e)
	return e
}

// letters names the i-th enumerator: A, B, …, Z, BA, BB, ….
func letters(i int) string {
	s := string(rune('A' + i%26))
	for i /= 26; i > 0; i /= 26 {
		s = string(rune('A'+i%26)) + s
	}
	return s
}

func (b *builder) reuseTypedef() *ctype.Typedef {
	if len(b.typedefs) == 0 {
		return nil
	}
	return b.typedefs[b.intn(len(b.typedefs))]
}

// typedef names t, with aligned(N) (raising or lowering) a third of the
// time.
func (b *builder) typedef(t ctype.Type) *ctype.Typedef {
	b.nTypedef++
	td := &ctype.Typedef{Name: name('t', b.nTypedef), Type: t, Aligned: b.maybeAligned(33)}
	if !ctype.IsRecord(t) {
		b.typedefs = append(b.typedefs, td) // reused as a scalar only
	}
	return td
}

// Record flavors, drawn for parameters, return values, members and the top
// of Record.
const (
	flavorStruct = iota
	flavorUnion
	flavorPacked
	flavorAligned
	flavorSized
	flavorHFA
	flavorInt128
	flavorBitfields
	flavorEmpty
	flavorReuse
)

var flavorWeights = [...]int{
	flavorStruct:    25,
	flavorUnion:     8,
	flavorPacked:    8,
	flavorAligned:   8,
	flavorSized:     8,
	flavorHFA:       10,
	flavorInt128:    5,
	flavorBitfields: 6,
	flavorEmpty:     1,
	flavorReuse:     8,
}

func (b *builder) paramRecord() ctype.Type { return b.flavoredRecord(1) }

// flavoredRecord draws a named record at nesting level depth (1: not
// inside another record).
func (b *builder) flavoredRecord(depth int) *ctype.Record {
	w := flavorWeights
	if !b.p.Floats {
		w[flavorHFA] = 0
	}
	fit := b.reusable(depth)
	if fit == 0 {
		w[flavorReuse] = 0
	}
	switch b.choose(w[:]...) {
	case flavorUnion:
		return b.record(depth, true, 0)
	case flavorPacked:
		return b.record(depth, false, forcePacked)
	case flavorAligned:
		return b.record(depth, false, forceAligned)
	case flavorSized:
		return b.sized()
	case flavorHFA:
		return b.hfa(depth, true)
	case flavorInt128:
		return b.record(depth, false, forceInt128)
	case flavorBitfields:
		return b.record(depth, b.chance(15), forceBitfields)
	case flavorEmpty:
		return b.named(&ctype.Record{Union: b.chance(30)})
	case flavorReuse:
		return b.reuse(depth, b.intn(fit))
	}
	return b.record(depth, false, 0)
}

// named gives a new record the next tag and makes it reusable.
func (b *builder) named(r *ctype.Record) *ctype.Record {
	b.nRec++
	r.Name = name('s', b.nRec)
	b.addRecord(r)
	return r
}

// Forcing options of record.
const (
	forcePacked = 1 << iota
	forceAligned
	forceInt128
	forceBitfields
	anonymous
)

// record draws a struct or union at nesting level depth.
func (b *builder) record(depth int, union bool, force int) *ctype.Record {
	r := &ctype.Record{Union: union}
	if force&anonymous == 0 {
		b.nRec++
		r.Name = name('s', b.nRec)
		b.open = append(b.open, r)
		defer func() {
			b.open = b.open[:len(b.open)-1]
			b.addRecord(r)
		}()
	}
	r.Packed = force&forcePacked != 0 || b.chance(12)
	r.Aligned = b.maybeAligned(12)
	if force&forceAligned != 0 {
		if b.chance(60) {
			r.Aligned = b.alignment()
		} else {
			r.Aligned = 16
		}
	}
	counter := 0
	b.members(r, depth, force, &counter)
	return r
}

// members fills r; counter numbers the members, shared with anonymous
// members, whose names C makes part of the enclosing record's.
func (b *builder) members(r *ctype.Record, depth, force int, counter *int) {
	n := b.between(1, b.p.MaxMembers)
	r.Members = make([]ctype.Member, 0, n)
	for i := 0; i < n; i++ {
		r.Members = append(r.Members, b.member(depth, force, counter))
	}
	switch {
	case force&forceInt128 != 0:
		m := ctype.Member{Name: b.memberName(counter), Type: b.int128(), Aligned: b.maybeAligned(15)}
		r.Members = insertAt(r.Members, b.intn(len(r.Members)+1), m)
	case force&forceAligned != 0 && b.chance(50):
		// aligned(N) on a member rather than (or as well as) the record.
		// Not on an unnamed member: unnamed bit-fields rarely carry it,
		// anonymous records cannot (ctype.Check).
		if i := b.intn(len(r.Members)); r.Members[i].Name != "" {
			r.Members[i].Aligned = max(r.Members[i].Aligned, 16)
		}
	}
}

func insertAt(ms []ctype.Member, i int, m ctype.Member) []ctype.Member {
	ms = append(ms, ctype.Member{})
	copy(ms[i+1:], ms[i:])
	ms[i] = m
	return ms
}

func (b *builder) memberName(counter *int) string {
	s := name('m', *counter)
	*counter++
	return s
}

// names caches the short identifiers ("m0", "a3", "s12", …): building
// them was a sixth of FromBytes's time.
var names = func() (t [5][64]string) {
	for i, c := range "amset" {
		for n := range t[i] {
			t[i][n] = string(c) + strconv.Itoa(n)
		}
	}
	return t
}()

// name returns the identifier of letter c ('a', 'm', 's', 'e' or 't') and
// number n.
func name(c byte, n int) string {
	i := [...]int{'a': 0, 'm': 1, 's': 2, 'e': 3, 't': 4}[c]
	if n < len(names[i]) {
		return names[i][n]
	}
	return string(c) + strconv.Itoa(n)
}

// member draws one member of a record at nesting level depth.
func (b *builder) member(depth, force int, counter *int) ctype.Member {
	nest := depth < b.p.MaxDepth
	bitW := 15
	if force&forceBitfields != 0 {
		bitW = 60
	}
	var m ctype.Member
	switch b.choose(30, on(b.p.Floats, 8), 6, 5, 6, 10, on(nest, 12), on(nest, 3), on(nest, 2), bitW, 5) {
	case 1:
		m.Type = b.float()
	case 2:
		m.Type = b.pointer()
	case 3:
		m.Type = b.enum()
	case 4:
		m.Type = b.typedef(b.memberTypedefTarget(depth))
	case 5:
		m.Type = b.array(depth)
	case 6:
		m.Type = b.flavoredRecord(depth + 1)
	case 7:
		// An anonymous struct or union member (C11 6.7.2.1p13): its
		// members belong to the enclosing record. No attributes on the
		// member itself: after the body they would bind to the type.
		r := &ctype.Record{Union: b.chance(50), Packed: b.chance(10), Aligned: b.maybeAligned(10)}
		b.members(r, depth+1, anonymous, counter)
		return ctype.Member{Type: r}
	case 8:
		// A named member of an anonymous record type.
		m.Type = b.record(depth+1, b.chance(40), anonymous)
	case 9:
		return b.bitfield(counter)
	case 10:
		m.Type = b.int128()
	default:
		m.Type = b.integer()
	}
	m.Name = b.memberName(counter)
	m.Packed = b.chance(8)
	m.Aligned = b.maybeAligned(10)
	return m
}

func (b *builder) memberTypedefTarget(depth int) ctype.Type {
	if depth < b.p.MaxDepth && b.chance(25) {
		if b.chance(25) {
			return b.record(depth+1, b.chance(30), anonymous) // typedef struct { … } t1;
		}
		return b.flavoredRecord(depth + 1)
	}
	return b.scalar()
}

// bitfield draws a bit-field member: named or not, zero-width, packed,
// aligned, over any integer type, enums and (aligned) typedefs.
func (b *builder) bitfield(counter *int) ctype.Member {
	var t ctype.Type
	switch b.choose(70, 10, 20) {
	case 1:
		t = b.enum()
	case 2:
		t = b.typedef(b.integer())
	default:
		t = b.integer()
	}
	width := ctype.Sizeof(t) * 8
	if u, ok := ctype.Underlying(t).(*ctype.Basic); ok && u.Kind == ctype.Bool {
		width = 1
	}
	m := ctype.Member{Type: t, Bitfield: true}
	unnamed := b.chance(15)
	if unnamed && b.chance(50) {
		m.Bits = 0
		return m // int : 0;
	}
	switch b.choose(60, 15, 15, 10) {
	case 1:
		m.Bits = 1
	case 2:
		m.Bits = width
	case 3:
		m.Bits = max(1, width-1)
	default:
		m.Bits = int64(b.between(1, int(width)))
	}
	if !unnamed {
		m.Name = b.memberName(counter)
	}
	m.Packed = b.chance(10)
	m.Aligned = b.maybeAligned(8)
	return m
}

// array draws an array member type: of scalars, records, or arrays
// (multi-dimensional), of at most maxArrayBytes.
func (b *builder) array(depth int) ctype.Type {
	var elem ctype.Type
	switch b.choose(50, on(depth < b.p.MaxDepth, 20), 10, on(b.p.Floats, 8)) {
	case 1:
		elem = b.flavoredRecord(depth + 1)
	case 2:
		elem = &ctype.Array{Elem: b.arrayElem(b.scalar()), Len: int64(b.between(1, 4))}
	case 3:
		elem = b.float()
	default:
		elem = b.scalar()
	}
	elem = b.arrayElem(elem)
	n := int64(b.between(1, 4))
	if b.chance(25) {
		n = int64(b.between(5, 16))
	}
	if size := ctype.Sizeof(elem); size > 0 {
		n = max(1, min(n, maxArrayBytes/size))
	}
	return &ctype.Array{Elem: elem, Len: n}
}

// arrayElem makes t a valid array element: C requires its size to be a
// multiple of its alignment, which a typedef with a raising aligned(N) may
// break (GCC: "alignment of array elements is greater than element size");
// then the typedef's target is used instead.
func (b *builder) arrayElem(t ctype.Type) ctype.Type {
	for {
		td, ok := t.(*ctype.Typedef)
		if !ok || ctype.Sizeof(td)%ctype.Alignof(td) == 0 {
			return t
		}
		t = td.Type
	}
}

// sized draws a record of 9 to 16 bytes, where AAPCS64 uses two registers
// (or the stack) and packing and alignment decide which.
func (b *builder) sized() *ctype.Record {
	n := int64(b.between(9, 16))
	r := &ctype.Record{}
	switch b.choose(3, 3, 3, 3, on(b.p.Floats, 2), 2) {
	case 0: // struct { char m0[N]; }
		r.Members = []ctype.Member{{Name: "m0", Type: &ctype.Array{Elem: ctype.TChar, Len: n}}}
	case 1, 2: // struct { long m0; char m1[N-8]; }, packed: exactly N bytes
		r.Members = []ctype.Member{{Name: "m0", Type: ctype.TLong}, {Name: "m1", Type: &ctype.Array{Elem: ctype.TChar, Len: n - 8}}}
		r.Packed = b.chance(50)
	case 3: // struct { int m0; …; } of ceil(N/4) ints
		for i := int64(0); i < (n+3)/4; i++ {
			r.Members = append(r.Members, ctype.Member{Name: name('m', int(i)), Type: ctype.TInt})
		}
	case 4: // a double and an integer: not an HFA
		r.Members = []ctype.Member{{Name: "m0", Type: ctype.TDouble}, {Name: "m1", Type: b.integer()}}
	case 5: // union { __int128 m0; char m1[N]; }
		r.Union = true
		r.Members = []ctype.Member{{Name: "m0", Type: b.int128()}, {Name: "m1", Type: &ctype.Array{Elem: ctype.TChar, Len: n}}}
	}
	return b.named(r)
}

// hfa draws a homogeneous floating-point aggregate (AAPCS64 2025Q4 §5.9.5):
// one to four elements of one float type, as members, arrays or nested
// records; now and then a near miss (one element of another float type)
// or an attribute.
func (b *builder) hfa(depth int, named bool) *ctype.Record {
	base := b.float()
	return b.hfaOf(depth, named, base, b.between(1, 4))
}

func (b *builder) hfaOf(depth int, named bool, base ctype.Type, count int) *ctype.Record {
	r := &ctype.Record{Union: b.chance(8)}
	if named {
		b.nRec++
		r.Name = name('s', b.nRec)
	}
	for i := 0; count > 0; i++ {
		mname := name('m', i)
		switch b.choose(60, 20, on(depth < b.p.MaxDepth, 15), 5) {
		case 1: // float m1[k]
			k := b.between(1, count)
			r.Members = append(r.Members, ctype.Member{Name: mname, Type: &ctype.Array{Elem: base, Len: int64(k)}})
			count -= k
		case 2: // a nested HFA of the same base
			k := b.between(1, count)
			r.Members = append(r.Members, ctype.Member{Name: mname, Type: b.hfaOf(depth+1, true, base, k)})
			count -= k
		case 3: // near miss: another float type
			r.Members = append(r.Members, ctype.Member{Name: mname, Type: b.float()})
			count--
		default:
			r.Members = append(r.Members, ctype.Member{Name: mname, Type: base})
			count--
		}
	}
	if b.chance(10) {
		r.Aligned = b.alignment()
	}
	if b.chance(5) {
		r.Packed = true
	}
	if named {
		b.addRecord(r)
	}
	return r
}

// topRecord draws the record of Record: a named record of any flavor.
func (b *builder) topRecord() *ctype.Record {
	return b.flavoredRecord(1)
}
