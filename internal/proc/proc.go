// Package proc runs connleak's child processes, one way for the demo, the
// bench and the end-to-end tests: started, waited for in the background,
// awaited through package poll until a line shows in their log, and
// stopped by their own PID, SIGTERM first and SIGKILL after a grace period.
package proc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"syscall"
	"time"

	"github.com/connleak/connleak/internal/poll"
)

// A Process is a child process started by Start.
type Process struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed once the process has exited and been waited for
	err    error         // what Wait returned; read it only after exited is closed
}

// Start starts cmd, and waits for it in the background. Call Stop or
// Kill when done.
func Start(cmd *exec.Cmd) (*Process, error) {
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &Process{cmd: cmd, exited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// PID is the process's ID.
func (p *Process) PID() int { return p.cmd.Process.Pid }

// Exited is closed once the process has exited.
func (p *Process) Exited() <-chan struct{} { return p.exited }

// Err is what Wait returned; it blocks until the process has exited.
func (p *Process) Err() error {
	<-p.exited
	return p.err
}

// Await calls check every poll.Every until it returns nil, the process
// exits (an error that says so), timeout passes or ctx ends.
func (p *Process) Await(ctx context.Context, timeout time.Duration, check func() error) error {
	return poll.UntilContext(ctx, timeout, func() error {
		select {
		case <-p.exited:
			return poll.Stop(fmt.Errorf("exited: %v", p.err))
		default:
		}
		return check()
	})
}

// AwaitLine waits, as Await does, for re to match the file at path (the
// process's log), and returns the match's first group.
func (p *Process) AwaitLine(ctx context.Context, timeout time.Duration, path string, re *regexp.Regexp) (string, error) {
	var group string
	err := p.Await(ctx, timeout, func() error {
		log, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		m := re.FindSubmatch(log)
		if len(m) < 2 {
			return fmt.Errorf("no line matching %s in %s", re, path)
		}
		group = string(m[1])
		return nil
	})
	return group, err
}

// Stop ends the process: SIGTERM, then SIGKILL if it has not exited after
// grace. It returns once the process is gone, with an error if it had to
// be killed or did not exit with status 0. Calling it again is safe.
func (p *Process) Stop(grace time.Duration) error {
	pid := p.PID()
	select {
	case <-p.exited:
	default:
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
			return fmt.Errorf("pid %d: SIGTERM: %w", pid, err)
		}
		select {
		case <-p.exited:
		case <-time.After(grace):
			p.Kill()
			return fmt.Errorf("pid %d ignored SIGTERM for %v; killed", pid, grace)
		}
	}
	if p.err != nil {
		return fmt.Errorf("pid %d: %w", pid, p.err)
	}
	return nil
}

// Kill ends the process with SIGKILL, if it still runs, and returns once
// it is gone.
func (p *Process) Kill() {
	p.cmd.Process.Kill()
	<-p.exited
}
