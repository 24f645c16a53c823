package dump

// Bounds of the names a parser keeps to hand out again: a dump of
// distinct frames only, however long, keeps no more than maxInterned names
// of at most maxInternedLen bytes each, 2 MiB.
const (
	maxInterned    = 4096
	maxInternedLen = 512
)

// interner hands out one string for each distinct function or file name
// of a dump's frames. A process's goroutines share few stacks, so most
// frames name a function and a file read before: they take its string, with
// no allocation, and the goroutines of one stack share their names' memory.
// Past its bounds it keeps the names it has and makes a string of any other
// each time.
type interner struct {
	names map[string]string
}

// name is b as a string: the one kept, if b was met before.
func (in *interner) name(b []byte) string {
	if s, ok := in.names[string(b)]; ok { // a lookup by string(b) makes no string
		return s
	}
	s := string(b)
	if len(in.names) < maxInterned && len(s) <= maxInternedLen {
		if in.names == nil {
			in.names = make(map[string]string)
		}
		in.names[s] = s
	}
	return s
}
