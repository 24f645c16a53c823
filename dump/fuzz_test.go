package dump

import (
	"bytes"
	"compress/gzip"
	"runtime/pprof"
	"testing"
)

// FuzzRead checks that no input makes Read panic or hang, and that what it
// reads stays within its bounds and in proportion to the input: no stack
// past MaxInnerFrames+MaxOuterFrames frames, no more than MaxAncestors
// ancestors, counts and waits within MaxGoroutines and MaxWait, and a text
// dump no more frames than lines.
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

	f.Add([]byte("goroutine 1 [running]:\rmain.f()\r\t/x.go:3 +0x19\r"))
	f.Add([]byte("\xff\xfeg\x00o\x00"))

	f.Fuzz(func(t *testing.T, data []byte) {
		const maxStack = MaxInnerFrames + MaxOuterFrames
		frames, total := 0, 0
		format, err := Read(bytes.NewReader(data), func(g *Goroutine) {
			if g.Count < 1 || g.Count > MaxGoroutines {
				t.Fatalf("a goroutine with count %d", g.Count)
			}
			if g.Wait < 0 || g.Wait > MaxWait {
				t.Fatalf("a goroutine that waited %v", g.Wait)
			}
			if len(g.Frames) > maxStack || len(g.Ancestors) > MaxAncestors {
				t.Fatalf("a goroutine of %d frames and %d ancestors", len(g.Frames), len(g.Ancestors))
			}
			if len(g.AncestorIDs) != len(g.Ancestors) {
				t.Fatalf("%d ancestor IDs for %d ancestors", len(g.AncestorIDs), len(g.Ancestors))
			}
			total += g.Count
			frames += len(g.Frames)
			for _, a := range g.Ancestors {
				if len(a) > maxStack {
					t.Fatalf("an ancestor of %d frames", len(a))
				}
				frames += len(a)
			}
		})
		if total > MaxGoroutines {
			t.Fatalf("%d goroutines in all", total)
		}
		// A text dump's lines end at "\n" or "\r", UTF-16's too; gzipped,
		// they are not to be counted here.
		lines := bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) + 1
		if !bytes.HasPrefix(data, []byte("\x1f\x8b")) && frames > lines {
			t.Fatalf("%d frames from %d lines", frames, lines)
		}
		if err == nil && format == "" {
			t.Fatalf("goroutines read, but no format")
		}
	})
}
