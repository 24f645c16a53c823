package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/connleak/connleak/internal/lab/scenario"
	"github.com/connleak/connleak/internal/testutil"
)

// TestDemoCheck runs the demo as a user would, on three scenarios, and
// checks the table, the verdicts and the report.
func TestDemoCheck(t *testing.T) {
	t.Parallel()
	report := filepath.Join(t.TempDir(), "report.html")
	cmd := exec.Command(measured, "demo", "-check", "-n", "50", "-scenarios", "leak,no-keepalive,idle-timeout", "-out", report)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("demo -check: %v\nstdout:\n%s\nstderr:\n%s", err, &stdout, &stderr)
	}
	rows := tableRows(t, stdout.String())
	for _, tt := range []struct {
		name         string
		per2, per1   [2]float64 // bounds of the goroutines per request
		left2, left1 [2]float64 // bounds of what is left after the wait
		opened       float64
		verdict      string
		diagnosis    [2]string
	}{
		{"leak", [2]float64{1.9, 2.1}, [2]float64{0.9, 1.1}, [2]float64{95, 102}, [2]float64{47, 52}, 50, "LEAKS", [2]string{"idle-client-connections", "idle-server-connections"}},
		{"idle-timeout", [2]float64{1.9, 2.1}, [2]float64{0.9, 1.1}, [2]float64{-3, 3}, [2]float64{-3, 3}, 50, "RECOVERS", [2]string{"none", "none"}},
		{"no-keepalive", [2]float64{-0.1, 0.1}, [2]float64{-0.1, 0.1}, [2]float64{-3, 3}, [2]float64{-3, 3}, 50, "FLAT", [2]string{"none", "none"}},
	} {
		r, ok := rows[tt.name]
		if !ok {
			t.Errorf("no row for %s in\n%s", tt.name, &stdout)
			continue
		}
		in := func(col string, b [2]float64) {
			if v := r.num(t, col); v < b[0] || v > b[1] {
				t.Errorf("%s: %s = %v, want %v..%v", tt.name, col, v, b[0], b[1])
			}
		}
		in("PER-REQ-2", tt.per2)
		in("PER-REQ-1", tt.per1)
		in("LEFT-2", tt.left2)
		in("LEFT-1", tt.left1)
		in("OPENED", [2]float64{tt.opened, tt.opened})
		if v := r["VERDICT"]; !strings.HasPrefix(v, tt.verdict) {
			t.Errorf("%s: verdict %q, want %s", tt.name, v, tt.verdict)
		}
		if d2, d1 := r["DIAGNOSE-2"], r["DIAGNOSE-1"]; d2 != tt.diagnosis[0] || d1 != tt.diagnosis[1] {
			t.Errorf("%s: diagnosis %s / %s, want %s / %s", tt.name, d2, d1, tt.diagnosis[0], tt.diagnosis[1])
		}
	}
	if lines := strings.Count(stderr.String(), "\n"); !strings.Contains(stderr.String(), "leak: LEAKS") || lines < 7 {
		t.Errorf("stderr is not a plain line per step:\n%s", &stderr)
	}
	html, err := os.ReadFile(report)
	if err != nil || bytes.Count(html, []byte("<svg ")) != 3 {
		t.Errorf("report: %v, %d charts, want 3", err, bytes.Count(html, []byte("<svg ")))
	}
}

// TestDemoOwnEnvironment checks that the demo's servers do not inherit the
// caller's environment: a FORWARD_ default there changes no verdict.
func TestDemoOwnEnvironment(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(exe, "demo", "-check", "-n", "50", "-scenarios", "leak")
	cmd.Env = append(os.Environ(), "FORWARD_DISABLE_KEEP_ALIVES=true", "FORWARD_CLIENT=shared")
	out, err := cmd.CombinedOutput()
	if err != nil || !regexp.MustCompile(`(?m)^leak .* LEAKS +idle-client-connections +idle-server-connections$`).Match(out) {
		t.Errorf("demo -check with FORWARD_ defaults in its environment: %v\n%s\nwant the leak to be LEAKS", err, out)
	}
}

// TestLoad checks load's output: each reply on its own line, then the
// summary with both servers' first and last counts.
func TestLoad(t *testing.T) {
	t.Parallel()
	p := startPair(t)
	out, err := exec.Command(exe, "load", "-n", "5", p.Server2.URL+"/forward").Output()
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 6 {
		t.Fatalf("load -n 5 printed %d lines, want 5 replies and a summary:\n%s", len(lines), out)
	}
	for _, l := range lines[:5] {
		if !strings.HasPrefix(l, `{"goRoutines":`) {
			t.Errorf("reply line %q", l)
		}
	}
	summary := regexp.MustCompile(`^5 requests: 5 200; [0-9.]+[mµ]?s, \d+ req/s, p50 [0-9.]+[mµ]?s, p99 [0-9.]+[mµ]?s; goroutines: server 2 (\d+) -> (\d+), server 1 (\d+) -> (\d+)$`)
	m := summary.FindStringSubmatch(lines[5])
	if m == nil {
		t.Fatalf("summary %q does not match %s", lines[5], summary)
	}
	first2, _ := strconv.Atoi(m[1])
	last2, _ := strconv.Atoi(m[2])
	// +8: 4 more readLoop/writeLoop pairs; +-1 for a connection of the load
	// itself still closing when a count is taken.
	if d := last2 - first2; d < 7 || d > 9 {
		t.Errorf("server 2 went from %d to %d over 5 leaky requests, want +8 (+-1)", first2, last2)
	}

	out, err = exec.Command(exe, "load", "-q", "-n", "40", "-c", "8", p.Server2.URL+"/forward?client=shared&maxIdleConnsPerHost=8").Output()
	if err != nil || !regexp.MustCompile(`^40 requests: 40 200; `).Match(out) || strings.Count(string(out), "\n") != 1 {
		t.Errorf("load -q -c 8: %v, %q; want only the summary, 40 answered", err, out)
	}
}

// TestDemoInterrupt checks that SIGINT stops the demo's servers, then the
// demo: no child process is left behind.
func TestDemoInterrupt(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(exe, "demo", "-n", "10000", "-scenarios", "leak")
	var stderr testutil.SyncBuffer
	cmd.Stderr = &stderr
	p := startProcess(t, cmd)

	var kids []int
	eventually(t, 15*time.Second, func() error {
		kids = children(t, cmd.Process.Pid)
		if len(kids) < 2 || !strings.Contains(stderr.String(), "leak: 10000 requests") {
			return fmt.Errorf("the demo has %d children, stderr %q; want two servers and the requests started", len(kids), stderr.String())
		}
		return nil
	})
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := waitExit(t, p, 15*time.Second, "the demo to exit after SIGINT")
	if code := exitCode(err); code != 1 || !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("after SIGINT: exit %d, stderr %q; want exit 1 saying interrupted", code, stderr.String())
	}
	for _, pid := range kids {
		if err := syscall.Kill(pid, 0); err == nil {
			t.Errorf("server pid %d still runs after the demo exited", pid)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// row is one row of the demo's table, by column.
type row map[string]string

func (r row) num(t *testing.T, col string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(strings.TrimSuffix(r[col], " KiB"), 64)
	if err != nil {
		t.Fatalf("column %s is %q, not a number", col, r[col])
	}
	return v
}

// tableRows reads the demo's table: columns are separated by two spaces or
// more, and the first row names them.
func tableRows(t *testing.T, out string) map[string]row {
	t.Helper()
	sep := regexp.MustCompile(`\s{2,}`)
	lines := strings.Split(out, "\n")
	header := sep.Split(strings.TrimSpace(lines[0]), -1)
	rows := make(map[string]row)
	for _, l := range lines[1:] {
		fields := sep.Split(strings.TrimSpace(l), -1)
		if len(fields) != len(header) {
			continue // the legend and the advice
		}
		r := make(row)
		for i, h := range header {
			r[h] = fields[i]
		}
		rows[fields[0]] = r
	}
	return rows
}

// byteSize reads a size as the bench writes it: "812 B", "2.2 kB", "13.4 MB".
func byteSize(t *testing.T, s string) float64 {
	t.Helper()
	num, unit, _ := strings.Cut(s, " ")
	n, err := strconv.ParseFloat(num, 64)
	scale := map[string]float64{"B": 1, "kB": 1e3, "MB": 1e6}[unit]
	if err != nil || scale == 0 {
		t.Errorf("size %q: want a number and B, kB or MB", s)
	}
	return n * scale
}

// TestBench runs the benchmark briefly and checks its table: the two
// references and every scenario of the catalogue, the reference at 1.00,
// and what each one holds.
func TestBench(t *testing.T) {
	testutil.WholeModule(t)
	t.Parallel()
	out, err := exec.Command(measured, "bench", "-r", "1", "-d", "300ms", "-c", "4", "-g", "2000", "-targets", "4").Output()
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, out)
	}
	rows := tableRows(t, string(out))
	status := map[string]int{"net/http": 200, "hello": 200}
	for _, sc := range scenario.All() {
		status[sc.Name] = sc.Status
	}
	for name, code := range status {
		r, ok := rows[name]
		if !ok {
			t.Errorf("no row for %s in\n%s", name, out)
			continue
		}
		if r.num(t, "REQ/S") <= 0 || (code == 200 && r.num(t, "ERRORS") != 0) || (code != 200 && r.num(t, "ERRORS") == 0) {
			t.Errorf("%s: %v req/s, %v errors; every reply a %d", name, r["REQ/S"], r["ERRORS"], code)
		}
	}
	if t.Failed() {
		return
	}
	if v := rows["net/http"]["VS NET/HTTP"]; v != "1.00" {
		t.Errorf("the reference's ratio is %s, want 1.00", v)
	}
	// The leak holds a connection per request; the tuned reference holds
	// at most its 4 idle ones.
	if leak := rows["leak"]; leak.num(t, "OPENED") < 100 || leak.num(t, "GOROUTINES-2") < 2*leak.num(t, "OPENED") {
		t.Errorf("leak: opened %s, %s goroutines on server 2; want many, and 2 per connection", leak["OPENED"], leak["GOROUTINES-2"])
	}
	if tuned := rows["net/http"]; tuned.num(t, "OPENED") > 4 {
		t.Errorf("net/http opened %s connections for 4 at once, want <= 4", tuned["OPENED"])
	}
	// Over HTTP/2 one connection carries them all; the leak over HTTP/2 is
	// 1:2, over TLS 2:1.
	if h2 := rows["h2-shared"]; h2.num(t, "OPENED") != 1 {
		t.Errorf("h2-shared opened %s connections, want 1", h2["OPENED"])
	}
	if h2 := rows["h2-leak"]; h2.num(t, "GOROUTINES-1") < 2*h2.num(t, "OPENED") || h2.num(t, "GOROUTINES-2") > h2.num(t, "OPENED")+30 {
		t.Errorf("h2-leak: opened %s, goroutines %s and %s; want 1 per connection on server 2, 2 on server 1", h2["OPENED"], h2["GOROUTINES-2"], h2["GOROUTINES-1"])
	}
	// Then /stats at 2,000 goroutines next to pprof's debug=1.
	m := regexp.MustCompile(`/stats on server 2 at (\d+) goroutines[^\n]*\n\s+GET /stats\s+[0-9.]+ms\n\s+GET /debug/pprof/goroutine\?debug=1\s+[0-9.]+ms\n\s+/stats vs debug=1\s+[0-9.]+x\n`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no /stats measurement in\n%s", out)
	}
	if g, _ := strconv.Atoi(string(m[1])); g < 2000 || g > 2010 {
		t.Errorf("/stats measured at %d goroutines, want 2000 (+ a few)", g)
	}
	// Then what each form of the goroutine profile costs that server 2: every
	// form stops the world at least once (debug=0 and 1 briefly, as their
	// concurrent collection starts and ends; debug=2 for the whole
	// traceback), a /hello meanwhile answers, and debug=2 is the largest
	// reply.
	m = regexp.MustCompile(`\nwhat one GET /debug/pprof/goroutine costs server 2 at (\d+) goroutines, by form[^\n]*\nFORM +BYTES +WALL +CPU +PAUSES +LARGEST PAUSE +PAUSE TOTAL +WORST /hello\n(debug=0 [^\n]*)\n(debug=1 [^\n]*)\n(debug=2 [^\n]*)\n`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no goroutine profile cost table in\n%s", out)
	}
	if g, _ := strconv.Atoi(string(m[1])); g < 2000 || g > 2010 {
		t.Errorf("the profiles' cost measured at %d goroutines, want 2000 (+ a few)", g)
	}
	var sizes [3]float64
	for i, line := range m[2:] {
		f := regexp.MustCompile(`\s{2,}`).Split(string(line), -1)
		if len(f) != 8 {
			t.Errorf("row %q: %d columns, want 8", line, len(f))
			continue
		}
		sizes[i] = byteSize(t, f[1])
		if pauses, err := strconv.ParseFloat(f[4], 64); err != nil || pauses < 1 || f[5] == "-" || f[6] == "-" {
			t.Errorf("%s: %s pauses per fetch, the largest %s, in all %s; want at least one", f[0], f[4], f[5], f[6])
		}
		ms := regexp.MustCompile(`^[0-9.]+ms$`)
		if !ms.MatchString(f[2]) || (runtime.GOOS == "linux" && !ms.MatchString(f[3])) || !ms.MatchString(f[7]) {
			t.Errorf("%s: wall %s, CPU %s, worst /hello %s; want each in ms (CPU from /proc)", f[0], f[2], f[3], f[7])
		}
	}
	if sizes[0] <= 0 || sizes[1] <= 0 || sizes[2] <= 100*max(sizes[0], sizes[1]) {
		t.Errorf("replies of %v bytes (debug=0, 1, 2); want debug=2, a stack per goroutine, 100 times the others", sizes)
	}
	// Then connleak vet next to go vet on this module (bodyclose only where
	// make bench passed -bodyclose).
	if !regexp.MustCompile(`\ngo vet \./\.\.\. +0 +\d+ms \(\d+-\d+\) +1\.00x .*\nconnleak vet \./\.\.\. +0 +\d+ms \(\d+-\d+\) +[0-9.]+x .*\ngo vet -vettool=connleak \./\.\.\. +0 +\d+ms`).Match(out) {
		t.Errorf("no connleak vet and go vet measurement in\n%s", out)
	}
	// Then connleak diagnose on that server's dump; panicparse only where
	// make bench installed it and passed -panicparse: no test needs the
	// network (package bench's tests time a stand-in peer).
	if !regexp.MustCompile(`\n  connleak diagnose +\d+ms, [0-9.]+ MiB peak RSS\n  panicparse: not measured \(make bench installs it; connleak bench -panicparse FILE runs it\)\n`).Match(out) {
		t.Errorf("no diagnose measurement in\n%s", out)
	}
	checkExporterBench(t, string(out))
}

// checkExporterBench checks the exporter's table of bench -targets 4 -g
// 2000: a row for each dump (1000 and 2000 goroutines), module and
// GOMAXPROCS, every measure above 0, the debug=2 dump the bigger.
func checkExporterBench(t *testing.T, out string) {
	t.Helper()
	if !strings.Contains(out, "\nconnleak exporter on ") || !strings.Contains(out, ": 4 loopback targets serving saved goroutine profiles, probed round robin, 4 at once") {
		t.Errorf("no line saying what the exporter's table measured in\n%s", out)
	}
	i := strings.Index(out, "\nGOROUTINES  MODULE")
	if i < 0 {
		t.Fatalf("no exporter table in\n%s", out)
	}
	sep := regexp.MustCompile(`\s{2,}`)
	lines := strings.Split(out[i+1:], "\n")
	header := sep.Split(strings.TrimSpace(lines[0]), -1)
	unit := strings.NewReplacer(" MiB", "", " kB", "", " MB", "e3", "ms", "") // sizes in kB
	seen := map[string]bool{}
	dumps := map[string]float64{} // by goroutines and module, in kB
	for _, l := range lines[1:] {
		fields := sep.Split(strings.TrimSpace(l), -1)
		if len(fields) != len(header) {
			break // the legend
		}
		r := row{}
		for j, h := range header {
			r[h] = unit.Replace(fields[j])
		}
		size := 1000.0
		if g := r.num(t, "GOROUTINES"); g > 1500 {
			size = 2000
		}
		if g := r.num(t, "GOROUTINES"); g < size || g > size+20 {
			t.Errorf("row %q: %v goroutines, want 1000 or 2000 (+ a few)", l, g)
		}
		for _, col := range []string{"DUMP", "GOMAXPROCS", "PROBES/S", "CPU/PROBE", "FLEET/CORE", "PEAK-RSS", "RSS-END", "PROBES", "FETCHES"} {
			if r.num(t, col) <= 0 {
				t.Errorf("row %q: %s is %s, want above 0", l, col, r[col])
			}
		}
		seen[fmt.Sprintf("%v %s %s", size, r["MODULE"], r["GOMAXPROCS"])] = true
		dumps[fmt.Sprintf("%v %s", size, r["MODULE"])] = r.num(t, "DUMP")
	}
	if len(seen) != 8 {
		t.Errorf("%d cases in the exporter table, want 8:\n%s", len(seen), out[i:])
	}
	for _, size := range []string{"1000", "2000"} {
		for _, m := range []string{"default", "waits"} {
			for _, procs := range []string{"1", "2"} {
				if !seen[size+" "+m+" "+procs] {
					t.Errorf("no row for %s goroutines, module %s, GOMAXPROCS=%s in\n%s", size, m, procs, out[i:])
				}
			}
		}
		if d1, d2 := dumps[size+" default"], dumps[size+" waits"]; d2 <= d1 {
			t.Errorf("at %s goroutines the debug=2 dump is %v kB, debug=1 %v kB: want debug=2 the bigger", size, d2, d1)
		}
	}
}
