package testutil

import (
	"context"
	"os"
	"os/exec"
	"runtime/pprof"
	"sync"
	"testing"
)

// Command is the path of the command name, which Debian's package pkg
// installs. Where there is none the test is skipped, or, under CI (which
// installs it: .ci/run), fails.
func Command(tb testing.TB, name, pkg string) string {
	tb.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("%s: %v; CI must install Debian's %s", name, err, pkg)
		}
		tb.Skipf("no %s (apt-get install %s); CI runs this test", name, pkg)
	}
	return path
}

// Park starts n goroutines blocked on a channel, the i-th with the pprof
// labels of labels(i) (key and value pairs) where labels is not nil, once
// they all have them, and releases and waits for them when tb ends.
func Park(tb testing.TB, n int, labels func(i int) []string) {
	tb.Helper()
	release := make(chan struct{})
	var started, wg sync.WaitGroup
	tb.Cleanup(func() { close(release); wg.Wait() })
	started.Add(n)
	for i := range n {
		ctx := context.Background()
		if labels != nil {
			ctx = pprof.WithLabels(ctx, pprof.Labels(labels(i)...))
		}
		wg.Go(func() {
			pprof.SetGoroutineLabels(ctx)
			started.Done()
			<-release
		})
	}
	started.Wait()
}
