package dump

import "strings"

// Bounds of a memo: however many distinct keys a dump holds, a memo keeps
// no more than maxMemo values, each by a key of at most maxMemoKey bytes of
// the dump (2 MiB of keys).
const (
	maxMemo    = 4096
	maxMemoKey = 512
)

// memo keeps values a parser made of a dump's text, by that text, to hand
// them out again. A process's goroutines share few stacks and few label
// sets: most frames name a function, a file and a line read before, and
// most headers a label set; they take the value kept, with no allocation,
// and the goroutines share its strings' memory. Past its bounds a memo
// keeps what it has and makes any other value anew each time.
type memo[V any] struct {
	values map[string]V
}

// get is what make makes of key: the value kept, if key was met before.
func (m *memo[V]) get(key []byte, make func([]byte) V) V {
	if v, ok := m.values[string(key)]; ok { // a lookup by string(key) makes no string
		return v
	}
	v := make(key)
	if m.room(len(key)) {
		m.values[string(key)] = v
	}
	return v
}

// getString is get for a key cut from a string: a key kept is a copy,
// rather than keep the whole string it was cut from.
func (m *memo[V]) getString(key string, make func(string) V) V {
	if v, ok := m.values[key]; ok {
		return v
	}
	if !m.room(len(key)) {
		return make(key)
	}
	key = strings.Clone(key)
	v := make(key)
	m.values[key] = v
	return v
}

// room reports whether m has room for a key of n bytes, and makes its map
// if need be.
func (m *memo[V]) room(n int) bool {
	if len(m.values) >= maxMemo || n > maxMemoKey {
		return false
	}
	if m.values == nil {
		m.values = make(map[string]V)
	}
	return true
}

// toString is b as a string, for a memo of names.
func toString(b []byte) string { return string(b) }
