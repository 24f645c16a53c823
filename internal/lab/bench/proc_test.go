package bench

import (
	"math"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestParseStat reads the CPU time out of /proc/PID/stat lines, a command
// with spaces and parentheses in its name among them.
func TestParseStat(t *testing.T) {
	rest := " S 1 2 3 0 -1 4194560 100 0 0 0 %s %s 0 0 20 0 5 0 123 456 789\n"
	line := func(comm, utime, stime string) []byte {
		return []byte("4242 (" + comm + ")" + strings.NewReplacer("%s %s", utime+" "+stime).Replace(rest))
	}
	for _, tt := range []struct {
		name string
		line []byte
		want time.Duration
		err  string
	}{
		{"plain", line("connleak", "150", "27"), 1770 * time.Millisecond, ""},
		{"a name with spaces and parentheses", line("a (b) c", "3", "4"), 70 * time.Millisecond, ""},
		{"none yet", line("connleak", "0", "0"), 0, ""},
		{"no command", []byte("4242 connleak S 1 2"), 0, "no (command)"},
		{"cut short", []byte("4242 (connleak) S 1 2 3 0 -1 4194560 100 0 0 0 150"), 0, "fields after the command"},
		{"not a number", line("connleak", "15x", "27"), 0, `CPU time "15x"`},
		{"negative", line("connleak", "15", "-2"), 0, `CPU time "-2"`},
	} {
		got, err := parseStat(tt.line)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: got %v, %v; want an error saying %q", tt.name, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: got %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
}

// TestProcCPU reads this process's CPU time, which grows as it spins.
func TestProcCPU(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("CPU time is read from /proc, on Linux")
	}
	before, err := procCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	var after time.Duration
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && after <= before; {
		for i := 0; i < 1e6; i++ {
			_ = math.Sqrt(float64(i))
		}
		if after, err = procCPU(os.Getpid()); err != nil {
			t.Fatal(err)
		}
	}
	if after <= before {
		t.Errorf("CPU time %v after spinning, %v before; want more", after, before)
	}
	if _, err := procCPU(-1); err == nil {
		t.Error("procCPU(-1): no error")
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
	if _, err := procCPU(pid); err != nil {
		t.Errorf("procCPU of this process: %v", err)
	}
	resident := rss(pid)
	if peak := statusBytes(pid, "VmHWM"); resident <= 0 || peak < resident {
		t.Errorf("this process: resident %d bytes, then a peak of %d; want the peak at least what was resident before, above 0", resident, peak)
	}
}
