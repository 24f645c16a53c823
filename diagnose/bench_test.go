package diagnose

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/connleak/connleak/internal/testutil"
)

// benchGoroutines is how many goroutines the dumps of BenchmarkRead hold:
// as many as the lab's leaky server 2 has in connleak bench (-g 18000).
const benchGoroutines = 18000

// BenchmarkRead diagnoses a large debug=2 dump and a large traceback, read
// and classified, as connleak diagnose and the exporter's waits module do:
// testdata/mkdump's go1.26.8 dumps repeated with fresh IDs up to
// benchGoroutines goroutines.
func BenchmarkRead(b *testing.B) {
	for _, name := range []string{"go1.26.8.debug2", "go1.26.8.traceback"} {
		b.Run("dump="+name, func(b *testing.B) {
			data := testutil.LargeDump(b, filepath.Join("testdata", "dumps", name+".txt"), benchGoroutines)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				r, err := Read(bytes.NewReader(data))
				if err != nil {
					b.Fatal(err)
				}
				if r.Goroutines != benchGoroutines || len(r.Findings) == 0 {
					b.Fatalf("%d goroutines, findings %s; want %d and some", r.Goroutines, r.IDs(), benchGoroutines)
				}
			}
		})
	}
}
