package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"regexp"
	"testing"
	"time"

	"github.com/connleak/connleak/internal/poll"
	"github.com/connleak/connleak/internal/testutil"
)

// result is how a command line ended, as the connleak process shows it.
type result struct {
	code           int    // the exit status
	stdout, stderr string // stderr ends with Main's line for an error
}

// run runs the command line args in this process, as Main does: Run with
// the environment getenv and stdin, then, for an error, Main's one line
// on standard error and its exit status. dir, if not empty, is the working
// directory meanwhile (so the test cannot be parallel).
func run(t *testing.T, dir string, getenv func(string) string, stdin io.Reader, args ...string) result {
	t.Helper()
	if dir != "" {
		t.Chdir(dir)
	}
	var stdout, stderr bytes.Buffer
	err := Run(context.Background(), args, getenv, stdin, &stdout, &stderr)
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	if err != nil {
		r.stderr += "connleak: " + oneLine(err.Error()) + "\n"
		r.code = 1
		var ec interface{ ExitCode() int }
		if errors.As(err, &ec) {
			r.code = ec.ExitCode()
		}
	}
	return r
}

// out is everything the command wrote, standard output first.
func (r result) out() string { return r.stdout + r.stderr }

// serving runs the command line args in the background, as Main does, until
// the test ends: it returns the address of its start-up line (addr=...),
// and stop, which cancels the command's context and fails the test unless
// Run then returns nil within 20 s.
func serving(t *testing.T, getenv func(string) string, args ...string) (addr string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	var stderr testutil.SyncBuffer
	done := make(chan error, 1)
	go func() { done <- Run(ctx, args, getenv, nil, &stderr, &stderr) }()
	line := regexp.MustCompile(`addr=(127\.0\.0\.1:\d+)`)
	if err := poll.Until(10*time.Second, func() error {
		return poll.True(line.MatchString(stderr.String()), "a start-up line naming the address")
	}); err != nil {
		t.Fatal(err)
	}
	return line.FindStringSubmatch(stderr.String())[1], func() {
		t.Helper()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("%q after its context was cancelled: %v, want nil", args, err)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("%q did not return 20s after its context was cancelled", args)
		}
	}
}
