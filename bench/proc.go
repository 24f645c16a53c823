package bench

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of the CPU times in /proc/PID/stat: 100
// on every Linux architecture Go runs on.
const clockTicks = 100

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

// cpuTime is the CPU time, user and system, of every thread of a process
// so far, from /proc/PID/stat: to the nearest tick, 10ms.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStat(string(b))
}

// parseStat is the user and system CPU time a /proc/PID/stat line says: its
// 14th and 15th fields, in clock ticks, counted after the command name,
// which is in parentheses and may hold spaces and parentheses itself.
func parseStat(stat string) (time.Duration, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, errors.New("stat: no command name in parentheses")
	}
	fields := strings.Fields(stat[i+1:]) // from the 3rd field, the state
	if len(fields) < 13 {
		return 0, fmt.Errorf("stat: %d fields after the command name, want 13 or more", len(fields))
	}
	var ticks int64
	for _, f := range fields[11:13] { // utime, stime
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("stat: CPU time %q: want a count of ticks", f)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}
