package dump

import (
	"bytes"
	"compress/gzip"
	"runtime/pprof"
	"strings"
	"testing"
)

// FuzzRead checks that no input makes Read panic or hang, and that what it
// reads stays in proportion to the input: a text dump has no more frames
// than lines, and a binary profile is refused past its inflation bound.
func FuzzRead(f *testing.F) {
	f.Add([]byte(stacks))
	var b bytes.Buffer
	pprof.Lookup("goroutine").WriteTo(&b, 1)
	f.Add(b.Bytes())
	b.Reset()
	pprof.Lookup("goroutine").WriteTo(&b, 0)
	f.Add(b.Bytes())
	f.Add([]byte("found unexpected goroutines:\n[Goroutine 5 in state chan receive, with main.f on top of the stack:\nmain.f()\n\t/x.go:3 +0x19\ncreated by main.g in goroutine 4\n\t/x.go:3 +0x66\n]"))
	var bomb bytes.Buffer
	gz := gzip.NewWriter(&bomb)
	gz.Write(make([]byte, 8<<20))
	gz.Close()
	f.Add(bomb.Bytes())
	for _, p := range malformedProfiles() {
		f.Add(p.data)
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		frames, lines := 0, strings.Count(string(data), "\n")+1
		format, err := Read(bytes.NewReader(data), func(g *Goroutine) {
			if g.Count < 1 {
				t.Fatalf("a goroutine with count %d", g.Count)
			}
			frames += len(g.Frames)
			for _, a := range g.Ancestors {
				frames += len(a)
			}
		})
		if format != Binary && frames > lines {
			t.Fatalf("%d frames from %d lines", frames, lines)
		}
		if err == nil && format == "" {
			t.Fatalf("goroutines read, but no format")
		}
	})
}
