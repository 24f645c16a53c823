package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Panicparse is the peer diagnose is measured against: the tool people use
// to read large goroutine dumps, at a pinned version.
const Panicparse = "github.com/maruel/panicparse/v2/cmd/pp@v2.5.0"

// DiagnoseBenchResult is what DiagnoseBench measured: connleak diagnose and
// panicparse on the same dump.
type DiagnoseBenchResult struct {
	Dump                 string
	Size                 int64
	Rounds               int
	Diagnose, Peer       time.Duration // medians of the wall time
	DiagnoseRSS, PeerRSS int64         // medians of the peak resident memory, in bytes
}

// DiagnoseBench installs panicparse into dir with `go install`, then runs
// `exe diagnose dump` and `pp dump` rounds times each, interleaved, and
// takes the medians of their wall time and peak memory.
func DiagnoseBench(ctx context.Context, exe, dir, dump string, rounds int) (DiagnoseBenchResult, error) {
	r := DiagnoseBenchResult{Dump: dump, Rounds: rounds}
	st, err := os.Stat(dump)
	if err != nil {
		return r, err
	}
	r.Size = st.Size()
	install := exec.CommandContext(ctx, "go", "install", Panicparse)
	install.Env = append(os.Environ(), "GOBIN="+dir)
	if out, err := install.CombinedOutput(); err != nil {
		return r, fmt.Errorf("go install %s: %v: %s", Panicparse, err, out)
	}
	pp := filepath.Join(dir, "pp")
	var ours, theirs []time.Duration
	var oursRSS, theirsRSS []int64
	for range rounds {
		took, rss, err := measure(ctx, exe, "diagnose", dump)
		if err != nil {
			return r, err
		}
		ours, oursRSS = append(ours, took), append(oursRSS, rss)
		if took, rss, err = measure(ctx, pp, dump); err != nil {
			return r, err
		}
		theirs, theirsRSS = append(theirs, took), append(theirsRSS, rss)
	}
	r.Diagnose, r.Peer = medianOf(ours), medianOf(theirs)
	r.DiagnoseRSS, r.PeerRSS = medianOf(oursRSS), medianOf(theirsRSS)
	return r, nil
}

// timed runs a command, its output discarded, and returns its wall time,
// exit status and peak resident memory; err is for a command that could
// not run, or whose usage cannot be read.
func timed(ctx context.Context, name string, args ...string) (took time.Duration, code int, rss int64, err error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	start := time.Now()
	err = cmd.Run()
	took = time.Since(start)
	if ee, ok := err.(*exec.ExitError); ok {
		code, err = ee.ExitCode(), nil
	}
	if err != nil {
		return took, code, 0, fmt.Errorf("%s: %w", cmd.Args, err)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return took, code, 0, errors.New("no resource usage on this system")
	}
	return took, code, ru.Maxrss << 10, nil // Linux reports kilobytes
}

// measure is timed for a command that must succeed.
func measure(ctx context.Context, name string, args ...string) (time.Duration, int64, error) {
	took, code, rss, err := timed(ctx, name, args...)
	if err == nil && code != 0 {
		err = fmt.Errorf("%s %s: exit status %d", name, strings.Join(args, " "), code)
	}
	return took, rss, err
}

// WriteDiagnoseBench writes r as a few lines, with the ratios.
func WriteDiagnoseBench(w io.Writer, r DiagnoseBenchResult) error {
	_, err := fmt.Fprintf(w, "\nthat debug=2 dump (%.1f MB), medians of %d interleaved runs:\n"+
		"  connleak diagnose                         %s, %s peak RSS\n"+
		"  panicparse (%s)  %s, %s peak RSS\n"+
		"  panicparse vs connleak diagnose           %.0fx the time, %.1fx the memory\n",
		float64(r.Size)/1e6, r.Rounds, millis(r.Diagnose, 0), mib(r.DiagnoseRSS),
		Panicparse[len("github.com/maruel/"):], millis(r.Peer, 0), mib(r.PeerRSS),
		float64(r.Peer)/float64(r.Diagnose), float64(r.PeerRSS)/float64(r.DiagnoseRSS))
	return err
}
