package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// userHZ is the unit of the CPU times in /proc/PID/stat: a hundredth of a
// second on every architecture Go runs Linux on.
const userHZ = 100

// procCPU is the user and system CPU time process pid has used, all its
// threads, from /proc/PID/stat: Linux only, to a hundredth of a second.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	cpu, err := parseStat(b)
	if err != nil {
		return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
	}
	return cpu, nil
}

// parseStat is utime + stime, the 14th and 15th fields of a /proc/PID/stat
// line. The second field, the command's name in parentheses, may hold
// spaces and parentheses itself: the fields are counted after its last ')'.
func parseStat(b []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("no (command) in %.40q", b)
	}
	fields := bytes.Fields(b[i+1:]) // from the 3rd field, the state
	const utime, stime = 14 - 3, 15 - 3
	if len(fields) <= stime {
		return 0, fmt.Errorf("%d fields after the command, want at least %d", len(fields), stime+1)
	}
	var ticks int64
	for _, f := range [][]byte{fields[utime], fields[stime]} {
		n, err := strconv.ParseInt(string(f), 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("CPU time %q is not a count of ticks", f)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / userHZ, nil
}

// statusBytes is a size, such as VmRSS or VmHWM, that /proc/PID/status says
// of a process, in bytes; 0 where there is no /proc or no such line.
func statusBytes(pid int, field string) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	return parseStatus(f, field)
}

// parseStatus reads the size field says in a /proc/PID/status file, in
// kilobytes there, and returns it in bytes; 0 where the file has no such
// line.
func parseStatus(r io.Reader, field string) int64 {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
