//go:build unix

package cli

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/connleak/connleak/internal/testutil"
)

// TestExporterBadConfigFile names as connleak exporter's -config each file
// it must not read: the command ends at once, with exit status 1 and one
// line that says what the file is.
func TestExporterBadConfigFile(t *testing.T) {
	dir := t.TempDir()
	fifo := testutil.FIFO(t, filepath.Join(dir, "fifo"))
	huge := testutil.SparseFile(t, filepath.Join(dir, "huge.yml"), 16<<30)
	for _, tt := range []struct{ name, path, want string }{
		{"dev-zero", "/dev/zero", "config /dev/zero: a character device: accepts a regular file of at most 1 MiB"},
		{"fifo", fifo, "config " + fifo + ": a named pipe: accepts a regular file of at most 1 MiB"},
		{"directory", dir, "config " + dir + ": a directory: accepts a regular file of at most 1 MiB"},
		{"huge", huge, "config " + huge + ": 17179869184 bytes: accepts a regular file of at most 1 MiB"},
		{"missing", filepath.Join(dir, "none.yml"), "config " + filepath.Join(dir, "none.yml") + ": no such file or directory"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan result, 1)
			go func() {
				done <- run(t, "", testutil.Getenv(), nil, "exporter", "-listen", "127.0.0.1:0", "-config", tt.path)
			}()
			select {
			case r := <-done:
				if r.code != 1 || r.out() != "connleak: "+tt.want+"\n" {
					t.Errorf("exit %d, %q; want exit 1 and %q", r.code, r.out(), "connleak: "+tt.want+"\n")
				}
			case <-time.After(10 * time.Second):
				t.Fatal("connleak exporter still running after 10s")
			}
		})
	}
}
