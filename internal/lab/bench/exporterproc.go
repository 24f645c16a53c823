package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"github.com/connleak/connleak/internal/proc"
)

// exporterProcess is connleak exporter running as a child process on a
// free loopback port.
type exporterProcess struct {
	URL string // such as http://127.0.0.1:40123
	Log string // the file that holds its standard error

	p *proc.Process
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
	p, err := proc.Start(cmd)
	if err != nil {
		return nil, fmt.Errorf("start the exporter: %w", err)
	}
	x := &exporterProcess{Log: logPath, p: p}
	if x.URL, err = p.AwaitLine(ctx, exporterStartTimeout, logPath, exporterLine); err != nil {
		log, _ := os.ReadFile(logPath)
		return x, fmt.Errorf("start the exporter: %w; its log: %q", err, log)
	}
	return x, nil
}

// PID is the exporter's process ID.
func (x *exporterProcess) PID() int { return x.p.PID() }

// stop ends the exporter: SIGTERM, then SIGKILL if it has not exited after
// exporterStopTimeout. It returns once the process is gone, with an error
// if it had to be killed or did not exit with status 0. Calling it again is
// safe.
func (x *exporterProcess) stop() error {
	if err := x.p.Stop(exporterStopTimeout); err != nil {
		return fmt.Errorf("the exporter: %w", err)
	}
	return nil
}
