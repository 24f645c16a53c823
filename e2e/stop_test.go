package e2e

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestGracefulStop checks that SIGTERM stops a server holding thousands of
// connections cleanly: exit status 0, before Stop would have to kill it.
func TestGracefulStop(t *testing.T) {
	t.Parallel()
	const n = 2000
	p := startPair(t)
	out, err := exec.Command(exe, "load", "-q", "-n", fmt.Sprint(n), "-c", "8", p.Server2.URL+"/forward").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), fmt.Sprintf("%d requests: %d 200;", n, n)) {
		t.Fatalf("load: %v %s", err, out)
	}
	// The load has its replies; server 2 counts the last connections as
	// held once their calls return, which a busy machine may delay past
	// the load's end: wait for the count, with a deadline.
	eventually(t, 15*time.Second, func() error {
		if held := stats(t, p.Server2).Client.Held; held != n {
			return fmt.Errorf("server 2 holds %d connections, want %d", held, n)
		}
		return nil
	})
	if err := p.Server2.Stop(); err != nil {
		t.Errorf("SIGTERM with %d connections held: %v, want exit status 0", n, err)
	}
	if err := p.Server1.Stop(); err != nil {
		t.Errorf("SIGTERM on server 1: %v, want exit status 0", err)
	}
}
