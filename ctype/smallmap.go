package ctype

// smallMap is a map for the handful of keys one signature has: a linear
// search over a slice while it holds at most smallMapMax keys, a real map
// beyond, so that checking or printing a signature does not start by
// allocating maps it barely uses. The zero value is empty.
type smallMap[K comparable, V any] struct {
	keys []K
	vals []V
	m    map[K]V
}

const smallMapMax = 16

func (s *smallMap[K, V]) get(k K) (V, bool) {
	if s.m != nil {
		v, ok := s.m[k]
		return v, ok
	}
	for i := range s.keys {
		if s.keys[i] == k {
			return s.vals[i], true
		}
	}
	var zero V
	return zero, false
}

func (s *smallMap[K, V]) set(k K, v V) {
	if s.m != nil {
		s.m[k] = v
		return
	}
	for i := range s.keys {
		if s.keys[i] == k {
			s.vals[i] = v
			return
		}
	}
	if s.keys == nil {
		s.keys, s.vals = make([]K, 0, smallMapMax), make([]V, 0, smallMapMax)
	}
	if len(s.keys) < smallMapMax {
		s.keys, s.vals = append(s.keys, k), append(s.vals, v)
		return
	}
	s.m = make(map[K]V, 2*smallMapMax)
	for i := range s.keys {
		s.m[s.keys[i]] = s.vals[i]
	}
	s.m[k] = v
	s.keys, s.vals = nil, nil
}
