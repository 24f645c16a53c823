package bench

import (
	"context"
	"debug/buildinfo"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// DiagnoseResult is what Diagnose measured: connleak diagnose and, where it
// was given one, a peer (panicparse) on the same dump.
type DiagnoseResult struct {
	Dump        string
	Size        int64
	Rounds      int
	Diagnose    time.Duration // median of the wall time
	DiagnoseRSS int64         // median of the peak resident memory, in bytes
	// Peer names the peer as its binary names itself, such as
	// panicparse/v2/cmd/pp@v2.5.0; "" where none was measured.
	Peer     string
	PeerTime time.Duration
	PeerRSS  int64
}

// Diagnose runs `exe diagnose dump` and, if peer is not "", `peer dump`,
// rounds times each, interleaved, and takes the medians of their wall time
// and peak memory. peer is a binary already built, such as the panicparse
// that make bench installs: Diagnose fetches and builds nothing.
func Diagnose(ctx context.Context, exe, dump, peer string, rounds int) (DiagnoseResult, error) {
	r := DiagnoseResult{Dump: dump, Rounds: rounds}
	st, err := os.Stat(dump)
	if err != nil {
		return r, err
	}
	r.Size = st.Size()
	if peer != "" {
		r.Peer = peerName(peer)
	}
	var ours, theirs []time.Duration
	var oursRSS, theirsRSS []int64
	for range rounds {
		took, rss, err := measure(ctx, exe, "diagnose", dump)
		if err != nil {
			return r, err
		}
		ours, oursRSS = append(ours, took), append(oursRSS, rss)
		if peer == "" {
			continue
		}
		if took, rss, err = measure(ctx, peer, dump); err != nil {
			return r, err
		}
		theirs, theirsRSS = append(theirs, took), append(theirsRSS, rss)
	}
	r.Diagnose, r.DiagnoseRSS = medianOf(ours), medianOf(oursRSS)
	if peer != "" {
		r.PeerTime, r.PeerRSS = medianOf(theirs), medianOf(theirsRSS)
	}
	return r, nil
}

// peerName is the package path and version a Go binary was built from, as
// go install pkg@version records them, without the host and owner: for
// panicparse, panicparse/v2/cmd/pp@v2.5.0. It is the file's name where the
// binary records none.
func peerName(file string) string {
	bi, err := buildinfo.ReadFile(file)
	if err != nil || bi.Path == "" {
		return filepath.Base(file)
	}
	name := bi.Path
	if parts := strings.SplitN(name, "/", 3); len(parts) == 3 && strings.Contains(parts[0], ".") {
		name = parts[2]
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		name += "@" + v
	}
	return name
}

// timed runs a command, its output discarded, and returns its wall time,
// exit status and peak resident memory; err is for a command that could
// not run, or whose usage cannot be read.
//
// The peak is the child's VmHWM, read every millisecond while it runs: the
// maximum resident set size the kernel keeps for a process counts the
// memory of the process it was forked from as well, until it called exec,
// and this one's may be the larger (a bench that holds what it serves).
// Only a child that ends within a millisecond is measured by that count.
func timed(ctx context.Context, name string, args ...string) (took time.Duration, code int, rss int64, err error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, 0, fmt.Errorf("%s: %w", cmd.Args, err)
	}
	done := make(chan struct{})
	var peak int64
	var polling sync.WaitGroup
	polling.Go(func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			peak = max(peak, statusBytes(cmd.Process.Pid, "VmHWM"))
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	err = cmd.Wait()
	took = time.Since(start)
	close(done)
	polling.Wait()
	if ee, ok := err.(*exec.ExitError); ok {
		code, err = ee.ExitCode(), nil
	}
	if err != nil {
		return took, code, 0, fmt.Errorf("%s: %w", cmd.Args, err)
	}
	if peak > 0 {
		return took, code, peak, nil
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

// WriteDiagnose writes r as a few lines, with the ratios where a peer was
// measured.
func WriteDiagnose(w io.Writer, r DiagnoseResult) error {
	_, err := fmt.Fprintf(w, "\nthat debug=2 dump (%.1f MB), medians of %d interleaved runs:\n"+
		"  connleak diagnose                         %s, %s peak RSS\n",
		float64(r.Size)/1e6, r.Rounds, millis(r.Diagnose, 0), mib(r.DiagnoseRSS))
	if err != nil {
		return err
	}
	if r.Peer == "" {
		_, err = fmt.Fprintln(w, "  panicparse: not measured (make bench installs it; connleak bench -panicparse FILE runs it)")
		return err
	}
	_, err = fmt.Fprintf(w, "  panicparse (%s)  %s, %s peak RSS\n"+
		"  panicparse vs connleak diagnose           %.0fx the time, %.1fx the memory\n",
		r.Peer, millis(r.PeerTime, 0), mib(r.PeerRSS),
		float64(r.PeerTime)/float64(r.Diagnose), float64(r.PeerRSS)/float64(r.DiagnoseRSS))
	return err
}
