package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"time"
)

// exporterProcess is connleak exporter running as a child process on a
// free loopback port.
type exporterProcess struct {
	URL string // such as http://127.0.0.1:40123
	Log string // the file that holds its standard error

	cmd    *exec.Cmd
	exited chan struct{} // closed once the process has exited and been waited for
	err    error         // what Wait returned; read it only after exited is closed
}

// exporterStartTimeout bounds how long startExporter waits for the
// exporter's serving line.
const exporterStartTimeout = 15 * time.Second

// exporterStopTimeout is how long stop waits after SIGTERM before it
// kills: the exporter gives the probes under way their timeout (10s by
// default) and a second more.
const exporterStopTimeout = 15 * time.Second

var exporterLine = regexp.MustCompile(`msg="connleak exporter serving" addr=\S+ url=(\S+)`)

// startExporter runs `exe exporter -listen 127.0.0.1:0` with GOMAXPROCS=procs
// (the runtime's own where procs is 0) and no other environment, its standard error in a file of dir, and
// returns once it has logged the URL it serves. Call stop when done,
// whatever it returned.
func startExporter(ctx context.Context, exe, dir string, procs int) (*exporterProcess, error) {
	logPath := filepath.Join(dir, fmt.Sprintf("exporter-%d.log", procs))
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("start the exporter: %w", err)
	}
	defer logFile.Close() // the child holds its own copy
	cmd := exec.Command(exe, "exporter", "-listen", "127.0.0.1:0")
	cmd.Env = []string{}
	if procs > 0 {
		cmd.Env = []string{"GOMAXPROCS=" + strconv.Itoa(procs)}
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the exporter: %w", err)
	}
	x := &exporterProcess{Log: logPath, cmd: cmd, exited: make(chan struct{})}
	go func() {
		x.err = cmd.Wait()
		close(x.exited)
	}()
	ctx, cancel := context.WithTimeout(ctx, exporterStartTimeout)
	defer cancel()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if log, err := os.ReadFile(logPath); err == nil {
			if m := exporterLine.FindSubmatch(log); m != nil {
				x.URL = string(m[1])
				return x, nil
			}
		}
		select {
		case <-x.exited:
			log, _ := os.ReadFile(logPath)
			return x, fmt.Errorf("start the exporter: exited before serving: %v; its log: %q", x.err, log)
		case <-ctx.Done():
			return x, fmt.Errorf("start the exporter: no serving line in its log: %w", ctx.Err())
		case <-tick.C:
		}
	}
}

// PID is the exporter's process ID.
func (x *exporterProcess) PID() int { return x.cmd.Process.Pid }

// stop ends the exporter: SIGTERM, then SIGKILL if it has not exited after
// exporterStopTimeout. It returns once the process is gone, with an error
// if it had to be killed or did not exit with status 0. Calling it again is
// safe.
func (x *exporterProcess) stop() error {
	pid := x.PID()
	select {
	case <-x.exited:
	default:
		if err := x.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
			return fmt.Errorf("stop the exporter, pid %d: %w", pid, err)
		}
		select {
		case <-x.exited:
		case <-time.After(exporterStopTimeout):
			x.cmd.Process.Kill()
			<-x.exited
			return fmt.Errorf("the exporter, pid %d, ignored SIGTERM for %v; killed", pid, exporterStopTimeout)
		}
	}
	if x.err != nil {
		return fmt.Errorf("the exporter, pid %d: %w", pid, x.err)
	}
	return nil
}
