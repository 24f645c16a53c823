package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
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
