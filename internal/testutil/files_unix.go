//go:build unix

package testutil

import (
	"os"
	"syscall"
	"testing"
)

// FIFO makes a named pipe at path, which no one writes to: a read that
// opens it waits in open(2) for a writer. Its cleanup opens it for
// writing, so that such a read, in a test that fails, ends.
func FIFO(tb testing.TB, path string) string {
	tb.Helper()
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if w, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
	})
	return path
}

// SparseFile makes a regular file at path of size bytes, which takes no
// room on the disk: a file far over any bound of what is read.
func SparseFile(tb testing.TB, path string, size int64) string {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		tb.Fatal(err)
	}
	return path
}
