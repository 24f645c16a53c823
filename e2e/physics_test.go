package e2e

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/connleak/connleak/diagnose"
	"github.com/connleak/connleak/internal/lab/demo"
	"github.com/connleak/connleak/internal/lab/scenario"
	"github.com/connleak/connleak/internal/poll"
)

// idleWait is how long the physics tests let connections sit idle: longer
// than the 1s timeouts of the scenarios that recover.
const idleWait = 1500 * time.Millisecond

// after says what the physics table expects once the requests stop.
type after int

const (
	stays    after = iota // every leaked goroutine is still there after idleWait
	recovers              // both sides go back to baseline within recoverDeadline
	baseline              // both sides are at baseline: nothing was ever held
	pooled                // the pooled connections' goroutines are left
)

// TestPhysics proves every row of the catalogue, the physics table of
// DESIGN.md and the rows added since, on two real processes: how both
// goroutine counts move per request, what is left after an idle wait, and
// what diagnose names. The rows about a moment of concurrency run as the
// demo runs them (TestPhysicsConcurrent).
func TestPhysics(t *testing.T) {
	type physics struct {
		name  string
		env1  []string // server 1's environment
		query string
		// per2, per1: server 2 and server 1 grow by about this many
		// goroutines per request while the requests come (the catalogue's
		// PerRequest). 0: both stay flat.
		per2, per1 int
		// pool2, pool1: what the connections kept pooled hold afterwards, at
		// most; conn2, conn1: what one of them holds, at least one being
		// pooled (a drain after Close, Go 1.27's, races the next call, so
		// a row can pool one connection or two).
		pool2, pool1, conn2, conn1 int
		after                      after
		want                       int // the status of every /forward reply
		// finding2, finding1: what diagnose names on each server's dump
		// once the scenario is over.
		finding2, finding1 string
	}
	// The rows come from the one catalogue of scenarios; what each verdict
	// means once the requests stop is spelt out here.
	afterOf := map[scenario.Verdict]after{scenario.Leaks: stays, scenario.Recovers: recovers, scenario.Flat: baseline}
	var tests []physics
	var names []string
	for _, sc := range scenario.All() {
		names = append(names, sc.Name)
		if sc.Concurrency > 1 {
			continue
		}
		tt := physics{name: sc.Name, env1: sc.Env1, query: sc.Query, per2: sc.PerRequest.Server2, per1: sc.PerRequest.Server1, after: afterOf[sc.Want], want: sc.Status,
			finding2: sc.Finding2, finding1: sc.Finding1}
		if sc.Pooled > 0 {
			tt.after = pooled
			tt.pool2, tt.pool1 = sc.Pooled*sc.PerConn.Server2, sc.Pooled*sc.PerConn.Server1
			tt.conn2, tt.conn1 = sc.PerConn.Server2, sc.PerConn.Server1
		}
		tests = append(tests, tt)
	}
	// DESIGN.md's table, row by row, then the rows of HTTP/2, TLS and upstreams that stall.
	if got, want := strings.Join(names, " "), "leak resty-default idle-timeout no-keepalive conn-close server-idle-timeout "+
		"shared-client body-leave-open body-close-undrained body-close-large body-drain-close timeout "+
		"h2-leak h2-shared h2-idle-timeout h2-server-idle-timeout h2c-leak tls-leak tls-h1-fallback hung-upstream hung-upstream-timeout conn-queue conn-queue-fix handshake-stall handshake-timeout"; got != want {
		t.Fatalf("the catalogue lists %s, want %s", got, want)
	}
	// conn-close asked for by server 1's environment instead of the query.
	tests = append(tests, physics{name: "conn-close-env", env1: []string{"CONNECTION_CLOSE=true"}, query: "client=new", after: baseline, want: http.StatusOK})

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			const n = 60
			want := tt.want
			p := startPairOf(t, measured, tt.env1, nil)
			base2, base1 := settled(t, p.Server2), settled(t, p.Server1)
			// The idle footprint the Resty demo's numbers rest on: 3 goroutines, and
			// the 2 of the request asking.
			if base2 > 6 || base1 > 6 {
				t.Errorf("/hello on idle instances: %d and %d goroutines, want <= 6", base2, base1)
			}

			first, last := reply{}, reply{}
			for i := range n {
				r := get(t, p.Server2.URL+"/forward?"+tt.query)
				if r.Status != want {
					t.Fatalf("request %d: status %d (%s), want %d", i+1, r.Status, r.Error, want)
				}
				if i == 0 {
					first = r
				}
				last = r
			}
			end1 := goroutines(t, p.Server1)
			grew2 := last.GoRoutines - first.GoRoutines
			grew1 := end1 - base1 // server 1's growth seen from outside, for every body mode
			if tt.per2 > 0 {
				// Requests 2..n each add a connection: (n-1) readLoop+writeLoop
				// pairs on server 2 and conn.serve goroutines on server 1.
				if lo, hi := tt.per2*(n-1)*95/100, tt.per2*(n-1)*105/100; grew2 < lo || grew2 > hi {
					t.Errorf("server 2 grew by %d goroutines over %d requests, want %d..%d (about %d per request)", grew2, n, lo, hi, tt.per2)
				}
				if lo := tt.per1 * (n - 1) * 9 / 10; grew1 < lo {
					t.Errorf("server 1 grew by %d goroutines over %d requests, want >= %d (about %d per request)", grew1, n, lo, tt.per1)
				}
			} else {
				if grew2 > 4 {
					t.Errorf("server 2 grew by %d goroutines over %d requests, want <= 4 (flat)", grew2, n)
				}
				if grew1 > 4 {
					t.Errorf("server 1 grew by %d goroutines over %d requests, want <= 4 (flat)", grew1, n)
				}
			}

			switch tt.after {
			case stays:
				time.Sleep(idleWait) // nothing to poll for: the point is that nothing changes
				if got, lo := goroutines(t, p.Server2)-base2, tt.per2*n*95/100; got < lo {
					t.Errorf("after %v idle, server 2 holds %d goroutines over baseline, want >= %d (the leak stays)", idleWait, got, lo)
				}
				if got, lo := goroutines(t, p.Server1)-base1, tt.per1*n*9/10; got < lo {
					t.Errorf("after %v idle, server 1 holds %d goroutines over baseline, want >= %d (the leak stays)", idleWait, got, lo)
				}
			case recovers, baseline:
				took := waitBaseline(t, p, base2, base1)
				t.Logf("back to baseline %v after the last request", took)
			case pooled:
				time.Sleep(idleWait)
				if got := goroutines(t, p.Server2) - base2; got < tt.conn2-1 || got > tt.pool2+1 {
					t.Errorf("after %v idle, server 2 holds %d goroutines over baseline, want %d to %d (the pooled connections) +-1", idleWait, got, tt.conn2, tt.pool2)
				}
				if got := goroutines(t, p.Server1) - base1; got < tt.conn1-1 || got > tt.pool1+1 {
					t.Errorf("after %v idle, server 1 holds %d goroutines over baseline, want %d to %d (the pooled connections) +-1", idleWait, got, tt.conn1, tt.pool1)
				}
			}
			checkDiagnosis(t, p.Server2, tt.finding2)
			checkDiagnosis(t, p.Server1, tt.finding1)
		})
	}
}

// checkDiagnosis diagnoses an instance's goroutine dumps, debug=1 and
// debug=2, and checks the finding the catalogue names for it ("" for none).
func checkDiagnosis(t *testing.T, in *demo.Instance, finding string) {
	t.Helper()
	want := cmp.Or(finding, "none")
	for _, debug := range []string{"1", "2"} {
		url := in.URL + "/debug/pprof/goroutine?debug=" + debug
		resp, err := client.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		r, err := diagnose.Read(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("diagnose %s: %v", url, err)
		}
		if r.IDs() != want || r.Format != "debug="+debug {
			t.Errorf("diagnose %s: %s (%s), client %+v, server %+v; want %s", url, r.IDs(), r.Format, r.Client, r.Server, want)
		}
	}
}

// TestPhysicsConcurrent runs the catalogue's rows about a moment of
// concurrency as the demo does, on real processes: the verdict and the
// diagnosis the catalogue says, and what each row is about.
func TestPhysicsConcurrent(t *testing.T) {
	// What each row shows beyond its verdict and diagnosis.
	about := map[string]func(r demo.Result) error{
		"h2-shared": func(r demo.Result) error { // one connection carries every request
			return poll.True(r.Opened == 1, fmt.Sprintf("1 connection opened, not %d", r.Opened))
		},
		"tls-h1-fallback": func(r demo.Result) error { // HTTP/1.1: a connection per concurrent request
			return poll.True(r.Opened > 2, fmt.Sprintf("more than 2 connections opened, not %d", r.Opened))
		},
		"hung-upstream": func(r demo.Result) error { // every call cut by the ceiling
			return poll.True(r.P99 >= 2*time.Second && r.P99 < 5*time.Second, fmt.Sprintf("calls cut at FORWARD_CALL_CEILING=2s, not after %v", r.P99))
		},
		"hung-upstream-timeout": func(r demo.Result) error {
			return poll.True(r.P99 < 2*time.Second, fmt.Sprintf("calls cut by their timeout, not after %v", r.P99))
		},
		"conn-queue": func(r demo.Result) error { // 2 connections, a queue behind them
			return poll.True(r.Opened == 2 && r.P99 >= 500*time.Millisecond, fmt.Sprintf("2 connections and a queue, not %d and a p99 of %v", r.Opened, r.P99))
		},
		"conn-queue-fix": func(r demo.Result) error { // a connection per call, no queue
			return poll.True(r.Opened > 2 && r.Opened <= 40 && r.P99 < 500*time.Millisecond, fmt.Sprintf("up to 40 connections and no queue, not %d and a p99 of %v", r.Opened, r.P99))
		},
		"handshake-stall": func(r demo.Result) error { // calls cut by the ceiling, no handshake ever done, the dials left
			left2, left1 := r.Left()
			return poll.True(r.Opened == 0 && r.P99 >= 2*time.Second && r.P99 < 5*time.Second && left2 >= 2*r.N*9/10 && left1 >= r.N*9/10,
				fmt.Sprintf("no connection, calls cut at FORWARD_CALL_CEILING=2s and the dials left (+%d, +%d), not %d connections, a p99 of %v and +%d, +%d left", 2*r.N, r.N, r.Opened, r.P99, left2, left1))
		},
		"handshake-timeout": func(r demo.Result) error { // every handshake given up after tlsHandshakeTimeout
			return poll.True(r.Opened == 0 && r.P99 >= 100*time.Millisecond && r.P99 < time.Second, fmt.Sprintf("no connection, calls cut by tlsHandshakeTimeout=100ms, not %d connections and a p99 of %v", r.Opened, r.P99))
		},
	}
	for _, sc := range scenario.All() {
		if sc.Concurrency <= 1 {
			continue
		}
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			r := runConcurrent(t, sc)
			if n := r.ByStatus[sc.Status]; n != r.N {
				t.Errorf("%d of %d replies were %d: %v", n, r.N, sc.Status, r.ByStatus)
			}
			check, ok := about[sc.Name]
			if !ok {
				t.Fatalf("no check of what %s is about", sc.Name)
			}
			if err := check(r); err != nil {
				t.Errorf("want %v", err)
			}
		})
	}
}

// lateAttempts bounds how often runConcurrent runs a row whose diagnosis
// was wrong because its dump came late.
const lateAttempts = 3

// runConcurrent runs one concurrent row and checks it against the
// catalogue. A row diagnosed during one wave of calls that all end at
// its ceiling has a window of 2 s for the dump; on a busy machine (this
// test's rows run in parallel, beside other packages' tests) the dump can
// come after the calls end. The demo says so (Result.Late), and the row
// is run again, up to lateAttempts times: a wrong diagnosis of a dump
// taken in time fails at once.
func runConcurrent(t *testing.T, sc scenario.Scenario) demo.Result {
	t.Helper()
	for attempt := 1; ; attempt++ {
		rs, err := demo.Run(context.Background(), demo.Config{Exe: measured, Dir: t.TempDir(), N: 200, Wait: 3 * time.Second, Scenarios: []scenario.Scenario{sc}})
		if err != nil {
			t.Fatal(err)
		}
		err = demo.Check(rs)
		if err != nil && rs[0].Late && attempt < lateAttempts {
			t.Logf("attempt %d of %d: %v; again", attempt, lateAttempts, err)
			continue
		}
		if err != nil {
			t.Error(err)
		}
		return rs[0]
	}
}
