package dump

import "strings"

// Bounds of a memo: however many distinct names or label sets a dump
// holds, a memo keeps no more than maxMemo of them, each made of at most
// maxMemoKey bytes of the dump, 2 MiB.
const (
	maxMemo    = 4096
	maxMemoKey = 512
)

// memo keeps strings a parser made of a dump's text, by that text, to hand
// them out again. A process's goroutines share few stacks and few label
// sets: most frames name a function and a file read before, and most
// headers a label set read before; they take the string kept, with no
// allocation, and share its memory. Past its bounds a memo keeps what it
// has and makes any other string anew each time.
type memo struct {
	strings map[string]string
}

// name is b as a string: the one kept, if b was met before.
func (m *memo) name(b []byte) string {
	if s, ok := m.strings[string(b)]; ok { // a lookup by string(b) makes no string
		return s
	}
	s := string(b)
	if m.room(s) {
		m.strings[s] = s
	}
	return s
}

// labels is what normal makes of the label set s: the one kept, if s was
// met before.
func (m *memo) labels(s string, normal func(string) string) string {
	if l, ok := m.strings[s]; ok {
		return l
	}
	if !m.room(s) {
		return normal(s)
	}
	s = strings.Clone(s) // rather than keep the header s was cut from
	l := normal(s)
	m.strings[s] = l
	return l
}

// room reports whether m has room for key, and makes its map if need be.
func (m *memo) room(key string) bool {
	if len(m.strings) >= maxMemo || len(key) > maxMemoKey {
		return false
	}
	if m.strings == nil {
		m.strings = make(map[string]string)
	}
	return true
}
