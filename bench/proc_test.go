package bench

import (
	"os"
	"strings"
	"testing"
	"time"
)

// TestParseStat checks the CPU time of /proc/PID/stat lines, command names
// with spaces and parentheses among them, and that a line it cannot read
// is an error.
func TestParseStat(t *testing.T) {
	// The fields after the name: state, ppid, pgrp, session, tty_nr, tpgid,
	// flags, minflt, cminflt, majflt, cmajflt, utime, stime, cutime, ...
	const rest = " S 1 2 3 0 -1 4194560 1234 0 5 0 250 37 9 9 20 0 8 0\n"
	tests := []struct {
		name, stat string
		want       time.Duration
		err        string
	}{
		{"plain", "4242 (connleak)" + rest, 2870 * time.Millisecond, ""},
		{"a name with spaces and parentheses", "4242 (a (b) c)" + rest, 2870 * time.Millisecond, ""},
		{"no time yet", "4242 (connleak) R 1 2 3 0 -1 0 0 0 0 0 0 0 0 0\n", 0, ""},
		{"no name", "4242 connleak S 1", 0, "no command name"},
		{"too short", "4242 (connleak) S 1 2 3", 0, "4 fields after the command name"},
		{"not a count", "4242 (connleak) S 1 2 3 0 -1 0 0 0 0 0 x 37 0", 0, `CPU time "x"`},
	}
	for _, tt := range tests {
		got, err := parseStat(tt.stat)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: %v, %v; want an error naming %s", tt.name, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
}

// TestParseStatus checks the sizes read from /proc/PID/status: in bytes,
// 0 for a field the file does not have.
func TestParseStatus(t *testing.T) {
	const status = "Name:\tconnleak\nVmPeak:\t 1300000 kB\nVmHWM:\t   24576 kB\nVmRSS:\t   20480 kB\nThreads:\t7\n"
	for field, want := range map[string]int64{"VmHWM": 24 << 20, "VmRSS": 20 << 20, "VmSwap": 0, "Vm": 0} {
		if got := parseStatus(strings.NewReader(status), field); got != want {
			t.Errorf("%s: %d bytes, want %d", field, got, want)
		}
	}
}

// TestThisProcess reads this process's /proc files, where there are some.
func TestThisProcess(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc here")
	}
	pid := os.Getpid()
	if _, err := cpuTime(pid); err != nil {
		t.Errorf("cpuTime of this process: %v", err)
	}
	resident := rss(pid)
	if peak := statusBytes(pid, "VmHWM"); resident <= 0 || peak < resident {
		t.Errorf("this process: resident %d bytes, then a peak of %d; want the peak at least what was resident before, above 0", resident, peak)
	}
}
