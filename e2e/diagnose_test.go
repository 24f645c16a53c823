package e2e

import (
	"context"
	"fmt"
	"go/version"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/connleak/connleak/internal/lab/demo"
	"github.com/connleak/connleak/server"
)

// TestDiagnoseLeak runs the leak on two processes and checks that /stats,
// pprof and /metrics show what piles up, and that /reset releases it.
func TestDiagnoseLeak(t *testing.T) {
	t.Parallel()
	const n = 50
	p := startPair(t)
	base2, base1 := settled(t, p.Server2), settled(t, p.Server1)
	for i := range n {
		if r := get(t, p.Server2.URL+"/forward"); r.Status != http.StatusOK || r.ConnReused {
			t.Fatalf("request %d: %+v, want 200 on a new connection", i+1, r)
		}
	}

	st2 := stats(t, p.Server2)
	for _, f := range []string{"net/http.(*persistConn).readLoop", "net/http.(*persistConn).writeLoop"} {
		if got := funcCount(st2, f); got != n {
			t.Errorf("server 2 topFunctions[%s] = %d, want %d", f, got, n)
		}
	}
	if want := (server.ClientStats{Opened: n, Reused: 0, Held: n, HTTP1: server.ProtoStats{Opened: n}}); st2.Client != want {
		t.Errorf("server 2 client = %+v, want %+v", st2.Client, want)
	}
	if got := strings.Join(st2.Diagnosis, ","); got != "idle-client-connections" {
		t.Errorf("server 2 diagnosis %q, want idle-client-connections", got)
	}
	if top := st2.TopFunctions[0].Func; !strings.HasSuffix(top, "Loop") {
		t.Errorf("server 2's most common goroutine function is %s, want readLoop or writeLoop", top)
	}

	// Server 1: the leaked connections and the one asking. A connection of
	// an earlier question may still be closing: ask until it is gone.
	eventually(t, 5*time.Second, func() error {
		st1 := stats(t, p.Server1)
		if got := funcCount(st1, "net/http.(*conn).serve"); got != n+1 {
			return fmt.Errorf("server 1 topFunctions[conn.serve] = %d, want %d", got, n+1)
		}
		if got := strings.Join(st1.Diagnosis, ","); got != "idle-server-connections" {
			return fmt.Errorf("server 1 diagnosis %q, want idle-server-connections", got)
		}
		if s := st1.Server; s.Open != n+1 || s.Idle != n || s.Active != 1 || s.Accepted < n+1 {
			return fmt.Errorf("server 1 server = %+v, want %d open, %d idle, 1 active, >= %d accepted", s, n+1, n, n+1)
		}
		return nil
	})

	if dump := text(t, p.Server2.URL+"/debug/pprof/goroutine?debug=1"); !regexp.MustCompile(fmt.Sprintf(`(?m)^%d @ .*\n(#.*\n)*#.*net/http\.\(\*persistConn\)\.readLoop`, n)).MatchString(dump) {
		t.Errorf("server 2's pprof goroutine dump has no group of %d readLoops:\n%.2000s", n, dump)
	}
	if dump := text(t, p.Server1.URL+"/debug/pprof/goroutine?debug=1"); !strings.Contains(dump, "net/http.(*conn).serve") {
		t.Errorf("server 1's pprof goroutine dump has no conn.serve")
	}
	metrics := text(t, p.Server2.URL+"/metrics")
	for _, want := range []string{fmt.Sprintf("\nconnleak_client_connections_held %d\n", n), fmt.Sprintf("\nconnleak_client_connections_opened_total{proto=\"HTTP/1.1\"} %d\n", n), "\ngo_goroutines "} {
		if !strings.Contains(metrics, want) {
			t.Errorf("server 2 /metrics has no %q", strings.TrimSpace(want))
		}
	}
	if m := regexp.MustCompile(`\ngo_goroutines (\d+)\n`).FindStringSubmatch(metrics); m == nil {
		t.Errorf("no go_goroutines in /metrics")
	} else if g, _ := strconv.Atoi(m[1]); g < 2*n {
		t.Errorf("go_goroutines %d, want >= %d", g, 2*n)
	}

	var r struct{ GoRoutinesBefore, GoRoutinesAfter, ConnectionsClosed int }
	if status := fetch(t, http.MethodPost, p.Server2.URL+"/reset", &r); status != http.StatusOK || r.ConnectionsClosed != n {
		t.Fatalf("POST /reset: %d %+v, want 200 and %d connections closed", status, r, n)
	}
	// Its reply says the closed connections' goroutines ended; what else
	// ran then (the goroutine of an earlier request's connection, ending
	// too) may still be counted, so the baseline is waited for after.
	if r.GoRoutinesBefore < base2+2*n || r.GoRoutinesAfter > r.GoRoutinesBefore-2*n {
		t.Errorf("POST /reset: %d goroutines before, %d after; want >= %d before, and %d fewer after", r.GoRoutinesBefore, r.GoRoutinesAfter, base2+2*n, 2*n)
	}
	waitBaseline(t, p, base2, base1) // server 2 back to its baseline, and server 1 sees the closes
	if got := stats(t, p.Server2).Client.Held; got != 0 {
		t.Errorf("after /reset, server 2 holds %d connections, want 0", got)
	}
	if status := fetch(t, http.MethodGet, p.Server2.URL+"/reset", &reply{}); status != http.StatusMethodNotAllowed {
		t.Errorf("GET /reset: %d, want 405", status)
	}
}

// TestOpenFileLimit runs the Resty demo's 400-request loop against a server 2
// started under ulimit -n 256: the budget derived from the limit keeps it
// answering.
func TestOpenFileLimit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	wrapper := filepath.Join(dir, "connleak-ulimit")
	script := fmt.Sprintf("#!/bin/sh\nulimit -n 256 || exit 1\nexec %q \"$@\"\n", exe)
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s1, err := demo.Start(ctx, exe, dir, "server1")
	t.Cleanup(func() { stopOrFail(t, s1) })
	if err != nil {
		t.Fatal(err)
	}
	s2, err := demo.Start(ctx, wrapper, dir, "server2", "UPSTREAM_URL="+s1.URL)
	t.Cleanup(func() { stopOrFail(t, s2) })
	if err != nil {
		t.Fatal(err)
	}
	log, _ := os.ReadFile(s2.Log)
	if !strings.Contains(string(log), "maxHeld=128") {
		t.Fatalf("server 2 under ulimit -n 256: start-up line %q, want maxHeld=128 (half the limit)", log)
	}
	var ok, refused int
	for i := range 400 {
		switch r := get(t, s2.URL+"/forward"); r.Status {
		case http.StatusOK:
			ok++
		case http.StatusTooManyRequests:
			refused++
		default:
			t.Fatalf("request %d: %d %s, want 200 or 429", i+1, r.Status, r.Error)
		}
	}
	if ok != 128 || refused != 400-128 {
		t.Errorf("%d answered, %d refused; want 128 and %d", ok, refused, 400-128)
	}
	if st := stats(t, s2); st.Client.Held != 128 {
		t.Errorf("held %d, want 128", st.Client.Held)
	}
}

// TestGoroutineLeakProfile checks what the README says of the goroutineleak
// profile (Go 1.26's GOEXPERIMENT=goroutineleakprofile, on by default from
// Go 1.27): it reports none of the leaked connection goroutines, which wait
// on the network, not on an unreachable channel.
func TestGoroutineLeakProfile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	leakExe := filepath.Join(dir, "connleak-leakprofile")
	build := build(leakExe, race)
	if version.Compare(runtime.Version(), "go1.27") < 0 {
		build.Env = append(os.Environ(), "GOEXPERIMENT=goroutineleakprofile")
	}
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build with the goroutineleak profile: %v\n%s", err, out)
	}
	const n = 20
	p := startPairOf(t, leakExe, nil, nil)
	for range n {
		if r := get(t, p.Server2.URL+"/forward"); r.Status != http.StatusOK {
			t.Fatalf("/forward: %d %s", r.Status, r.Error)
		}
	}
	if got := funcCount(stats(t, p.Server2), "net/http.(*persistConn).readLoop"); got != n {
		t.Fatalf("%d readLoops, want %d", got, n)
	}
	for _, in := range []*demo.Instance{p.Server2, p.Server1} {
		profile := text(t, in.URL+"/debug/pprof/goroutineleak?debug=1")
		if first, _, _ := strings.Cut(profile, "\n"); first != "goroutineleak profile: total 0" {
			t.Errorf("%s goroutineleak profile starts %q, want total 0", in.URL, first)
		}
	}
}
