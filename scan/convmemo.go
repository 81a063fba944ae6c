package scan

import "github.com/trampfuzz/trampfuzz/ctype"

// convMemo remembers the conversion of each input type (a BTF type, a DWARF
// DIE offset) to a ctype type, or why it failed, so a type shared by many
// functions is converted once and they share one ctype object; and it
// catches a type that contains itself by value, which would recurse
// forever.
type convMemo[K comparable] struct {
	value map[K]ctype.Type
	err   map[K]error
	busy  map[K]bool
}

func newConvMemo[K comparable]() convMemo[K] {
	return convMemo[K]{value: map[K]ctype.Type{}, err: map[K]error{}, busy: map[K]bool{}}
}

// lookup returns k's conversion or error if it is done (ok).
func (m *convMemo[K]) lookup(k K) (t ctype.Type, ok bool, err error) {
	if t, ok := m.value[k]; ok {
		return t, true, nil
	}
	err, ok = m.err[k]
	return nil, ok, err
}

// enter marks k as being converted; false if it already is (k contains
// itself).
func (m *convMemo[K]) enter(k K) bool {
	if m.busy[k] {
		return false
	}
	m.busy[k] = true
	return true
}

// done records k's conversion and returns it.
func (m *convMemo[K]) done(k K, t ctype.Type, err error) (ctype.Type, error) {
	delete(m.busy, k)
	if err != nil {
		m.err[k] = err
		return nil, err
	}
	m.value[k] = t
	return t, nil
}
