package dump

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/connleak/connleak/internal/testutil"
)

// benchGoroutines is how many goroutines the dumps of BenchmarkRead hold:
// as many as the lab's leaky server 2 has in connleak bench (-g 18000).
const benchGoroutines = 18000

// BenchmarkRead reads a large debug=2 dump and a large traceback, made of
// diagnose's fixtures (testdata/mkdump's go1.26.8 dumps, whose goroutines
// are HTTP connections of every kind, the debug=2 one with its ancestors'
// stacks) repeated with fresh IDs up to benchGoroutines goroutines.
func BenchmarkRead(b *testing.B) {
	for _, name := range []string{"go1.26.8.debug2", "go1.26.8.traceback"} {
		b.Run("dump="+name, func(b *testing.B) {
			data := testutil.LargeDump(b, filepath.Join("..", "diagnose", "testdata", "dumps", name+".txt"), benchGoroutines)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				n := 0
				if _, err := Read(bytes.NewReader(data), func(g *Goroutine) { n += g.Count }); err != nil {
					b.Fatal(err)
				}
				if n != benchGoroutines {
					b.Fatalf("read %d goroutines, want %d", n, benchGoroutines)
				}
			}
		})
	}
}
