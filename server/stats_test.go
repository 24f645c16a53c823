package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/connleak/connleak/dump"
	"github.com/connleak/connleak/internal/lab/scenario"
	"github.com/connleak/connleak/internal/poll"
)

// parked waits until stop is closed: a goroutine with a known entry.
func parked(ready chan<- struct{}, stop <-chan struct{}) {
	ready <- struct{}{}
	<-stop
}

// TestTopFunctions reads this process's goroutine profile: goroutines are
// counted by the function they were started with, wherever they wait.
func TestTopFunctions(t *testing.T) {
	const n = 3
	ready, stop := make(chan struct{}), make(chan struct{})
	defer close(stop)
	for range n {
		go parked(ready, stop)
	}
	for range n {
		<-ready
	}
	profile := goroutineProfile()
	// Goroutines started as testing.tRunner, wherever they are: this
	// test's, the parallel tests paused in t.Parallel until the serial
	// ones are done, and one of a test that has just ended, if the
	// profile caught it on its way out.
	paused, tRunners := 0, 0
	dump.Read(bytes.NewReader(profile.Bytes()), func(g *dump.Goroutine) {
		if slices.ContainsFunc(g.Frames, func(f dump.Frame) bool { return f.Func == "testing.(*T).Parallel" }) {
			paused += g.Count
		}
		if len(g.Frames) > 0 && g.Frames[len(g.Frames)-1].Func == "testing.tRunner" {
			tRunners += g.Count
		}
	})
	fc, _ := topFunctions(profile)
	if got := count(fc, "github.com/connleak/connleak/server.parked"); got != n {
		t.Errorf("topFunctions counts %d of github.com/connleak/connleak/server.parked, want %d: %v", got, n, fc)
	}
	if got := count(fc, "testing.tRunner"); got != tRunners || got < 1+paused {
		t.Errorf("topFunctions counts %d goroutines started as testing.tRunner, want the profile's %d, this test's 1 and the %d paused parallel tests among them: %v", got, tRunners, paused, fc)
	}
	for i := 1; i < len(fc); i++ {
		if fc[i].Count > fc[i-1].Count {
			t.Errorf("topFunctions is not most common first: %v", fc)
		}
	}
	b, err := json.Marshal(fc)
	if first := fmt.Sprintf(`{%q:%d,`, fc[0].Func, fc[0].Count); err != nil || !strings.HasPrefix(string(b), first) || !strings.Contains(string(b), `"github.com/connleak/connleak/server.parked":3`) {
		t.Errorf("JSON %s, %v: want an object, most common first", b, err)
	}
}

// TestTopFunctionsStarting reads a profile with a goroutine caught as it
// starts, as /stats's backgroundRead often is: its group has no frame,
// only runtime.goexit's address in its header. It is no function's, so
// topFunctions leaves it out rather than count it under "".
func TestTopFunctionsStarting(t *testing.T) {
	const profile = `goroutine profile: total 3
1 @ 0x48f7ce 0x46ba85 0xc1b69c 0x497321
#	0xc1b69b	os/signal.NotifyContext.func1+0x7b	/usr/local/go/src/os/signal/signal.go:292

1 @ 0x4247c9 0x491c18 0xc1bc53 0x497321
#	0x491c17	os/signal.signal_recv+0x97	/usr/local/go/src/runtime/sigqueue.go:152
#	0xc1bc52	os/signal.loop+0x12		/usr/local/go/src/os/signal/signal_unix.go:23

1 @ 0x497321

`
	fc, _ := topFunctions(strings.NewReader(profile))
	want := FuncCounts{{"os/signal.NotifyContext.func1", 1}, {"os/signal.loop", 1}}
	if !slices.Equal(fc, want) {
		t.Errorf("topFunctions = %v, want %v: the goroutine with no frame left out", fc, want)
	}
	if b, _ := json.Marshal(fc); strings.Contains(string(b), `"":`) {
		t.Errorf("/stats's topFunctions %s has an empty name", b)
	}
}

// TestStats checks /stats on one in-process instance that forwards to
// another: the client and server accounting and the goroutine breakdown.
func TestStats(t *testing.T) {
	const n = 5
	s1 := New(Config{})
	ts1, _ := server1(t, s1)
	s2 := server2(t, ts1.URL)
	for range n {
		if w := serve(s2, "GET", "/forward?client=shared"); w.Code != http.StatusOK {
			t.Fatalf("got %d %s", w.Code, w.Body)
		}
	}
	for range n {
		if w := serve(s2, "GET", "/forward"); w.Code != http.StatusOK {
			t.Fatalf("got %d %s", w.Code, w.Body)
		}
	}
	var st Stats
	w := serve(s2, "GET", "/stats")
	if err := json.Unmarshal(w.Body.Bytes(), &st); err != nil || w.Code != http.StatusOK {
		t.Fatalf("GET /stats: %d %s: %v", w.Code, w.Body, err)
	}
	// One shared connection, reused n-1 times, and one per client=new call.
	if want := (ClientStats{Opened: 1 + n, Reused: n - 1, Held: 1 + n, HTTP1: ProtoStats{Opened: 1 + n, Reused: n - 1}}); st.Client != want {
		t.Errorf("client = %+v, want %+v", st.Client, want)
	}
	if st.GoRoutines < 2*(1+n) || st.Memory.HeapInuseBytes == 0 || st.Memory.StackInuseBytes == 0 {
		t.Errorf("goRoutines %d, memory %+v: want >= %d goroutines and memory counted", st.GoRoutines, st.Memory, 2*(1+n))
	}
	if !strings.Contains(w.Body.String(), `"net/http.(*persistConn).readLoop":`) || !strings.HasPrefix(w.Body.String(), `{"goRoutines":`) {
		t.Errorf("GET /stats = %s, want it to start with goRoutines and count readLoop", w.Body)
	}
	for _, f := range []string{"net/http.(*persistConn).readLoop", "net/http.(*persistConn).writeLoop"} {
		if got := count(st.TopFunctions, f); got < 1+n {
			t.Errorf("topFunctions[%s] = %d, want >= %d", f, got, 1+n)
		}
	}

	// Server 1 saw 1+n connections, all idle once it has marked the last
	// reply's connection so, which it does after the client has read the
	// reply: wait for that, read in process, then this GET adds one more.
	if err := poll.Until(10*time.Second, func() error {
		var st Stats
		json.Unmarshal(serve(s1, "GET", "/stats").Body.Bytes(), &st)
		return poll.True(st.Server.Idle == n+1, fmt.Sprintf("server 1's %d connections to be idle (%+v)", n+1, st.Server))
	}); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(ts1.URL + "/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st1 Stats
	if err := json.NewDecoder(resp.Body).Decode(&st1); err != nil {
		t.Fatal(err)
	}
	want := ServerStats{Open: n + 2, Active: 1, Idle: n + 1, Accepted: n + 2}
	if st1.Server != want {
		t.Errorf("server 1's server stats = %+v, want %+v", st1.Server, want)
	}
}

func count(fc FuncCounts, f string) int {
	for _, c := range fc {
		if c.Func == f {
			return c.Count
		}
	}
	return 0
}

// TestBudget checks that /forward holds no more than MaxHeld connections,
// answers 429 past it while everything else answers, and that /reset
// releases it.
func TestBudget(t *testing.T) {
	ts1, _ := server1(t, New(Config{}))
	u := mustURL(t, ts1.URL)
	s2 := New(Config{UpstreamURL: u, MaxHeld: 3})
	t.Cleanup(func() { s2.clientConns.release() })
	for i := range 3 {
		if w := serve(s2, "GET", "/forward"); w.Code != http.StatusOK {
			t.Fatalf("call %d: got %d %s", i+1, w.Code, w.Body)
		}
	}
	w := serve(s2, "GET", "/forward")
	if w.Code != http.StatusTooManyRequests || !errorShape.Match(w.Body.Bytes()) ||
		!strings.Contains(w.Body.String(), "leak budget spent") || !strings.Contains(w.Body.String(), "POST /reset") {
		t.Fatalf("call 4: got %d %s, want 429 saying the budget is spent and POST /reset releases it", w.Code, w.Body)
	}
	for _, target := range []string{"/hello", "/stats", "/metrics"} {
		if w := serve(s2, "GET", target); w.Code != http.StatusOK {
			t.Errorf("GET %s with the budget spent: %d, want 200", target, w.Code)
		}
	}

	w = serve(s2, "POST", "/reset")
	var r resetReply
	if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil || w.Code != http.StatusOK || r.ConnectionsClosed != 3 {
		t.Fatalf("POST /reset: %d %s, want 200 with connectionsClosed 3", w.Code, w.Body)
	}
	if r.GoRoutinesAfter > r.GoRoutinesBefore-6 {
		t.Errorf("POST /reset: goroutines %d before, %d after, want 6 fewer (3 readLoops, 3 writeLoops)", r.GoRoutinesBefore, r.GoRoutinesAfter)
	}
	if w := serve(s2, "GET", "/forward"); w.Code != http.StatusOK {
		t.Errorf("after /reset: got %d %s, want 200", w.Code, w.Body)
	}
	if w := serve(s2, "GET", "/reset"); w.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET /reset: %d, want 405", w.Code)
	}
}

// TestResetLeftOpen checks that /reset also releases connections whose body
// was left open, which CloseIdleConnections cannot reach.
func TestResetLeftOpen(t *testing.T) {
	ts1, _ := server1(t, New(Config{}))
	s2 := server2(t, ts1.URL)
	for range 4 {
		serve(s2, "GET", "/forward?client=shared&body=leave-open")
	}
	if got := s2.clientConns.held(); got != 4 {
		t.Fatalf("held = %d after 4 calls with body=leave-open, want 4", got)
	}
	w := serve(s2, "POST", "/reset")
	var r resetReply
	if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil || r.ConnectionsClosed != 4 || s2.clientConns.held() != 0 {
		t.Errorf("POST /reset: %s, held %d after, want 4 closed and none held", w.Body, s2.clientConns.held())
	}
	if r.GoRoutinesAfter > r.GoRoutinesBefore-8 {
		t.Errorf("POST /reset: %d goroutines before, %d after, want the 8 of 4 readLoops and writeLoops gone", r.GoRoutinesBefore, r.GoRoutinesAfter)
	}
}

func TestMetrics(t *testing.T) {
	ts1, _ := server1(t, New(Config{}))
	s2 := server2(t, ts1.URL)
	for range 3 {
		serve(s2, "GET", "/forward")
	}
	serve(s2, "GET", "/forward?client=shared")
	serve(s2, "GET", "/forward?client=shared")
	w := serve(s2, "GET", "/metrics")
	body, _ := io.ReadAll(w.Body)
	for _, want := range []string{
		"\ngo_goroutines ",
		"\nprocess_open_fds ",
		"\nconnleak_client_connections_opened_total{proto=\"HTTP/1.1\"} 4\n",
		"\nconnleak_client_connections_reused_total{proto=\"HTTP/1.1\"} 1\n",
		"\nconnleak_client_connections_held 4\n",
		`connleak_server_connections{state="active"} `,
		`connleak_server_connections{state="idle"} `,
		"\ngo_gc_gogc_percent ",
		"\ngo_sched_pauses_total_other_seconds_bucket{le=\"+Inf\"} ",
		"\ngo_sched_pauses_total_gc_seconds_count ",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics has no %q", strings.TrimSpace(want))
		}
	}
}

func TestPprof(t *testing.T) {
	for _, target := range []string{"/debug/pprof/", "/debug/pprof/goroutine?debug=1", "/debug/pprof/cmdline"} {
		w := httptest.NewRecorder()
		New(Config{}).ServeHTTP(w, httptest.NewRequest("GET", target, nil))
		if w.Code != http.StatusOK || w.Body.Len() == 0 {
			t.Errorf("GET %s: %d, %d bytes", target, w.Code, w.Body.Len())
		}
	}
	if w := serve(New(Config{}), "GET", "/debug/pprof/goroutine?debug=1"); !strings.Contains(w.Body.String(), "goroutine profile: total") {
		t.Errorf("goroutine profile: %.200s", w.Body)
	}
}

func TestStatsBadInput(t *testing.T) {
	for _, tt := range []struct{ method, target, want string }{
		{"GET", "/stats?x=1", "takes none"},
		{"POST", "/stats", "use GET"},
		{"POST", "/reset?all=1", "takes none"},
		{"DELETE", "/reset", "use POST"},
	} {
		w := serve(New(Config{}), tt.method, tt.target)
		if w.Code/100 != 4 || !errorShape.Match(w.Body.Bytes()) || !strings.Contains(w.Body.String(), tt.want) {
			t.Errorf("%s %s: %d %s, want a JSON error saying %q", tt.method, tt.target, w.Code, w.Body, tt.want)
		}
	}
}

func TestDefaultMaxHeld(t *testing.T) {
	limit := openFileLimit()
	got := DefaultMaxHeld()
	want := min(maxHeldCap, int(limit/2))
	if limit == 0 {
		want = maxHeldCap
	}
	if got != want || got < 1 {
		t.Errorf("DefaultMaxHeld() = %d with an open-file limit of %d, want %d", got, limit, want)
	}
	cfg, err := ConfigFromEnv(env(map[string]string{"FORWARD_MAX_HELD": "7"}))
	if err != nil || cfg.MaxHeld != 7 {
		t.Errorf("FORWARD_MAX_HELD=7: %d, %v", cfg.MaxHeld, err)
	}
	for _, v := range []string{"0", "-1", "many", fmt.Sprint(maxConnCount*10 + 1)} {
		if _, err := ConfigFromEnv(env(map[string]string{"FORWARD_MAX_HELD": v})); err == nil || !strings.HasPrefix(err.Error(), "FORWARD_MAX_HELD=") {
			t.Errorf("FORWARD_MAX_HELD=%s: %v, want an error naming it", v, err)
		}
	}
}

// TestLiveHoldsNothing checks that the live page costs nothing while nobody
// watches: New starts no goroutine, and /live leaves no connection to server
// 1 open behind it.
func TestLiveHoldsNothing(t *testing.T) {
	goleak.VerifyNone(t) // quiet before
	New(Config{})
	goleak.VerifyNone(t) // and New started nothing

	// Server 1 in another process: its /stats has another pid.
	var open atomic.Int64
	ts1 := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"goRoutines":42,"server":{"open":7},"client":{"held":0},"diagnosis":["idle-server-connections"],"pid":1}`)
	}))
	ts1.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			open.Add(1)
		case http.StateClosed:
			open.Add(-1)
		}
	}
	ts1.Start()
	defer ts1.Close()
	w := serve(server2(t, ts1.URL), "GET", "/live")
	if got, want := w.Body.String(), `{"self":{"goRoutines":`; !strings.HasPrefix(got, want) || !strings.Contains(got, `"upstream":{"goRoutines":42,"held":0,"open":7,"diagnosis":["idle-server-connections"]}`) {
		t.Fatalf("GET /live: %d %s, want this instance and server 1's numbers", w.Code, got)
	}
	if err := poll.Until(5*time.Second, func() error {
		return poll.True(open.Load() == 0, "server 1's connections from /live to close")
	}); err != nil {
		t.Fatal(err)
	}

	// An instance whose upstream is itself shows no upstream.
	self := New(Config{})
	tsSelf, _ := server1(t, self)
	self.cfg.UpstreamURL = mustURL(t, tsSelf.URL)
	w = serve(self, "GET", "/live")
	if !strings.Contains(w.Body.String(), `"upstream":null`) || strings.Contains(w.Body.String(), "upstreamError") {
		t.Errorf("GET /live on an instance that is its own upstream: %s, want upstream null and no error", w.Body)
	}
}

func TestPage(t *testing.T) {
	w := serve(New(Config{}), "GET", "/")
	for _, want := range []string{`id="goroutines-self"`, `id="goroutines-upstream"`, `id="chart"`, `<option selected>new</option>`, `value="0s"`} {
		if !strings.Contains(w.Body.String(), want) {
			t.Errorf("GET / has no %s", want)
		}
	}
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("GET /: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	// The presets are the catalogue's scenarios that need no other setting
	// of either server and no concurrency.
	for _, sc := range scenario.All() {
		want := len(sc.Env1) == 0 && len(sc.Env2) == 0 && sc.Concurrency <= 1
		if got := strings.Contains(w.Body.String(), `data-preset="`+sc.Name+`"`); got != want {
			t.Errorf("preset %s on the page: %v, want %v", sc.Name, got, want)
		}
	}
	if !strings.Contains(w.Body.String(), `"timeout":"client=shared\u0026timeout=10ms\u0026delay=1s"`) {
		t.Errorf("the page has no query for the timeout preset")
	}
	for _, remote := range []string{`src="http`, `href="http`, `url(http`, `import `} {
		if strings.Contains(w.Body.String(), remote) {
			t.Errorf("the page has %s: it must load nothing from the network", remote)
		}
	}
	if w := serve(New(Config{}), "POST", "/"); w.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /: %d, want 405", w.Code)
	}
	if w := serve(New(Config{}), "GET", "/live?x=1"); w.Code != http.StatusBadRequest {
		t.Errorf("GET /live?x=1: %d, want 400", w.Code)
	}
}

// TestStatsShared checks that concurrent /stats callers share one goroutine
// profile instead of taking one each.
func TestStatsShared(t *testing.T) {
	const callers = 64
	s := New(Config{})
	var calls atomic.Int64
	release := make(chan struct{})
	s.goroutineProfile = func() *bytes.Buffer {
		calls.Add(1)
		<-release // the profile takes long; callers arrive meanwhile
		return goroutineProfile()
	}
	var done sync.WaitGroup
	for range callers {
		done.Go(func() {
			if w := serve(s, "GET", "/stats"); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "TestStatsShared") {
				t.Errorf("GET /stats: %d %s", w.Code, w.Body)
			}
		})
	}
	// Every caller is in the profile's computation, or waiting for it.
	err := poll.Until(10*time.Second, func() error {
		waiting := 0
		dump.Read(goroutineProfile(), func(g *dump.Goroutine) {
			if slices.ContainsFunc(g.Frames, func(f dump.Frame) bool { return strings.HasSuffix(f.Func, "(*Server).profile") }) {
				waiting += g.Count
			}
		})
		return poll.True(waiting == callers, fmt.Sprintf("%d callers reading the profile (%d now)", callers, waiting))
	})
	close(release)
	done.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("%d concurrent /stats took %d goroutine profiles, want 1, shared", callers, n)
	}
}

// TestFullDumpsBounded checks that past MaxFullDumps debug=2 goroutine dumps
// at once, the next is a 429 in JSON, and that a slot freed is taken again.
func TestFullDumpsBounded(t *testing.T) {
	s := New(Config{})
	for range MaxFullDumps {
		s.fullDumps <- struct{}{} // dumps being written
	}
	for _, q := range []string{"debug=2", "debug=02", "debug=002"} {
		w := serve(s, "GET", "/debug/pprof/goroutine?"+q)
		if w.Code != http.StatusTooManyRequests || !errorShape.MatchString(w.Body.String()) {
			t.Errorf("%s past the bound: %d %s, want 429 in JSON", q, w.Code, w.Body)
		}
	}
	if w := serve(s, "GET", "/debug/pprof/goroutine?debug=1"); w.Code != http.StatusOK {
		t.Errorf("debug=1 while full dumps are bounded: %d, want 200", w.Code)
	}
	<-s.fullDumps
	if w := serve(s, "GET", "/debug/pprof/goroutine?debug=2"); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "goroutine ") {
		t.Errorf("a dump with a free slot: %d, want 200 and the stacks", w.Code)
	}
	if n := len(s.fullDumps); n != MaxFullDumps-1 {
		t.Errorf("after the dump, %d slots taken, want %d: a dump must give its slot back", n, MaxFullDumps-1)
	}
}
