//go:build unix

package diagnose

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/connleak/connleak/internal/testutil"
)

// TestOpenBinaryFIFO checks that a named pipe given as the binary is
// refused at once, not waited on for a writer.
func TestOpenBinaryFIFO(t *testing.T) {
	fifo := testutil.FIFO(t, filepath.Join(t.TempDir(), "fifo"))
	done := make(chan error, 1)
	go func() {
		_, err := OpenBinary(fifo)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("got %v, want it refused as not a regular file", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("OpenBinary of a named pipe still waiting after 10s")
	}
}
