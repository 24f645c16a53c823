package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/connleak/connleak/demo"
	"github.com/connleak/connleak/internal/poll"
	"github.com/connleak/connleak/server"
)

// startServer2 starts one instance forwarding to upstream, stopped when the
// test ends.
func startServer2(t *testing.T, upstream string, env ...string) *demo.Instance {
	t.Helper()
	in, err := demo.Start(context.Background(), exe, t.TempDir(), "server2", append([]string{"UPSTREAM_URL=" + upstream}, env...)...)
	t.Cleanup(func() { stopOrFail(t, in) })
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// TestSlowHeaders checks that a client trickling its headers is cut off
// after ReadHeaderTimeout, and that oversized headers are refused.
func TestSlowHeaders(t *testing.T) {
	t.Parallel()
	in := startServer2(t, "http://127.0.0.1:1")
	conn, err := net.Dial("tcp", strings.TrimPrefix(in.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprint(conn, "GET /hello HTTP/1.1\r\nHost: x\r\n")
	closed := make(chan error, 1)
	go func() {
		_, err := io.Copy(io.Discard, conn)
		closed <- err
	}()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	limit := time.After(3 * server.ReadHeaderTimeout)
	for i := 0; ; i++ {
		select {
		case <-closed:
			goto cut
		case <-tick.C:
			fmt.Fprintf(conn, "X-Slow-%d: 1\r\n", i) // never the blank line that ends the headers
		case <-limit:
			t.Fatalf("a client trickling headers was still connected after %v", 3*server.ReadHeaderTimeout)
		}
	}
cut:
	req, _ := http.NewRequest("GET", in.URL+"/hello", nil)
	req.Header.Set("X-Big", strings.Repeat("x", 2*server.MaxHeaderBytes))
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("%d bytes of headers: status %d, want 431", 2*server.MaxHeaderBytes, resp.StatusCode)
	}
	goroutines(t, in) // still serving
}

// TestGracefulStop checks that SIGTERM stops a server holding thousands of
// connections cleanly: exit status 0, before Stop would have to kill it.
func TestGracefulStop(t *testing.T) {
	t.Parallel()
	const n = 2000
	p := startPair(t)
	out, err := exec.Command(exe, "load", "-q", "-n", fmt.Sprint(n), "-c", "8", p.Server2.URL+"/forward").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), fmt.Sprintf("%d requests: %d 200;", n, n)) {
		t.Fatalf("load: %v %s", err, out)
	}
	if held := stats(t, p.Server2).Client.Held; held != n {
		t.Fatalf("server 2 holds %d connections, want %d", held, n)
	}
	if err := p.Server2.Stop(); err != nil {
		t.Errorf("SIGTERM with %d connections held: %v, want exit status 0", n, err)
	}
	if err := p.Server1.Stop(); err != nil {
		t.Errorf("SIGTERM on server 1: %v, want exit status 0", err)
	}
}

// TestNoRequestForgery checks that nothing in a request changes what server
// 2 calls: always POST UPSTREAM_URL/hello.
func TestNoRequestForgery(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []string
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Method+" "+r.Host+" "+r.URL.Path)
		mu.Unlock()
		fmt.Fprint(w, `{"msg":"Hello World","goRoutines":1}`)
	}))
	defer fake.Close()
	in := startServer2(t, fake.URL+"/base")
	want := "POST " + strings.TrimPrefix(fake.URL, "http://") + " /base/hello"

	raw := []string{
		"GET /forward HTTP/1.1\r\nHost: evil.example\r\nX-Forwarded-Host: evil.example\r\nForwarded: host=evil.example\r\n\r\n",
		"GET http://evil.example/forward HTTP/1.1\r\nHost: evil.example\r\n\r\n",
		"GET //evil.example/forward HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /forward?url=http://evil.example/ HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /forward?upstream=http://evil.example/&path=/admin HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /forward/../forward HTTP/1.1\r\nHost: x\r\n\r\n",
	}
	for _, req := range raw {
		conn, err := net.Dial("tcp", strings.TrimPrefix(in.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprint(conn, req)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err == nil {
			resp.Body.Close()
		}
		conn.Close()
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) == 0 {
		t.Fatal("no request reached server 1: the test proves nothing")
	}
	for _, g := range got {
		if g != want {
			t.Errorf("server 2 called %q, want only %q", g, want)
		}
	}
}

// TestFailureModes checks /forward against a server 1 that is down, slow,
// broken or failing, and that server 2 keeps serving after each.
func TestFailureModes(t *testing.T) {
	t.Parallel()
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	handler := func(f func(w http.ResponseWriter, r *http.Request)) string {
		ts := httptest.NewServer(http.HandlerFunc(f))
		t.Cleanup(ts.Close)
		return ts.URL
	}
	slow := handler(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // then net/http watches for the caller hanging up
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	garbage := handler(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "\x00\x01 not JSON at all") })
	failing := handler(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", http.StatusInternalServerError) })
	hangup := handler(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	})

	tests := []struct {
		name, upstream, query string
		status                int
		want                  string
	}{
		{"down", down.URL, "", 502, "connection refused"},
		{"slow", slow, "timeout=200ms", 504, "did not answer within timeout=200ms"},
		{"garbage", garbage, "", 502, "not /hello's JSON"},
		{"500", failing, "", 502, "server 1 answered 500 Internal Server Error"},
		{"hang-up", hangup, "", 502, "server 1 cannot be reached"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := startServer2(t, tt.upstream)
			start := time.Now()
			r := get(t, in.URL+"/forward?"+tt.query)
			took := time.Since(start)
			if r.Status != tt.status || !strings.Contains(r.Error, tt.want) || r.GoRoutines < 1 {
				t.Errorf("got %d %q, want %d saying %q", r.Status, r.Error, tt.status, tt.want)
			}
			if tt.name == "slow" && (took < 200*time.Millisecond || took > 5*time.Second) {
				t.Errorf("answered in %v: want after timeout=200ms, long before server 1's 10s", took)
			}
			if r := get(t, in.URL+"/hello"); r.Status != http.StatusOK {
				t.Errorf("after the failure, /hello answers %d", r.Status)
			}
		})
	}
}

// TestConcurrentShared sends 64 /forward at once through one shared client
// with 64 idle connections allowed: every one answers.
func TestConcurrentShared(t *testing.T) {
	t.Parallel()
	p := startPair(t)
	out, err := exec.Command(exe, "load", "-q", "-n", "640", "-c", "64", p.Server2.URL+"/forward?client=shared&maxIdleConnsPerHost=64").CombinedOutput()
	if err != nil || !regexp.MustCompile(`^640 requests: 640 200; `).Match(out) {
		t.Fatalf("load -c 64: %v %s, want 640 answers, all 200", err, out)
	}
	if st := stats(t, p.Server2); st.Client.Held > 64 || st.Client.Opened > 64 {
		t.Errorf("client %+v: want at most 64 connections, opened and held", st.Client)
	}
}

// TestPortInUse checks the start-up error when the port is taken.
func TestPortInUse(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), "BIND_ADDRESS="+busy.Addr().String())
	out, err := cmd.CombinedOutput()
	if exitCode(err) != 1 || strings.Count(string(out), "\n") != 1 || !strings.Contains(string(out), "address already in use") || !strings.Contains(string(out), "BIND_ADDRESS") {
		t.Errorf("port in use: exit %d, %q; want exit 1 and one line naming BIND_ADDRESS and the cause", exitCode(err), out)
	}
}

// TestBodyLimit checks that no path of /forward reads more than MaxBody of
// server 1's reply: a reply that is /hello's JSON padded past the bound is
// a 502 on every path, and one just under it is read.
func TestBodyLimit(t *testing.T) {
	t.Parallel()
	padded := func(size int) string {
		const hello = `{"msg":"Hello World","goRoutines":1}`
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			fmt.Fprint(w, hello+strings.Repeat(" ", size-len(hello)))
		}))
		t.Cleanup(ts.Close)
		return ts.URL
	}
	big := startServer2(t, padded(server.MaxBody+1))
	small := startServer2(t, padded(server.MaxBody))
	for _, q := range []string{"client=new", "client=shared", "client=nethttp", "client=new&body=drain-close", "client=nethttp&body=drain-close", "transport=resty"} {
		if r := get(t, big.URL+"/forward?"+q); r.Status != http.StatusBadGateway || !strings.Contains(r.Error, "larger than 1048576 bytes") {
			t.Errorf("%s, a reply of MaxBody+1 bytes: %d %q, want 502 saying it is larger than the bound", q, r.Status, r.Error)
		}
		if r := get(t, small.URL+"/forward?"+q); r.Status != http.StatusOK {
			t.Errorf("%s, a reply of MaxBody bytes: %d %q, want 200", q, r.Status, r.Error)
		}
	}
}

// TestNoRedirects checks that no client path follows server 1's redirect:
// the 3xx is a 502 naming the Location, and the place it points to is
// never called.
func TestNoRedirects(t *testing.T) {
	t.Parallel()
	var elsewhere atomic.Int64
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		fmt.Fprint(w, `{"msg":"Hello World","goRoutines":1}`)
	}))
	defer target.Close()
	redirecting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		http.Redirect(w, r, target.URL+"/hello", http.StatusTemporaryRedirect)
	}))
	defer redirecting.Close()
	in := startServer2(t, redirecting.URL)
	for _, q := range []string{"client=new", "client=shared", "client=nethttp", "transport=resty", "body=drain-close", "body=close", "client=nethttp&body=leave-open"} {
		r := get(t, in.URL+"/forward?"+q)
		if r.Status != http.StatusBadGateway || !strings.Contains(r.Error, "307 Temporary Redirect") || !strings.Contains(r.Error, target.URL+"/hello") {
			t.Errorf("%s: %d %q, want 502 naming the 307 and its Location", q, r.Status, r.Error)
		}
	}
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("the redirect's target was called %d times, want never", n)
	}
}

// TestCallCeiling checks that a call without a timeout to a server 1 that
// never answers ends at FORWARD_CALL_CEILING with a 504 naming it, counted
// in flight meanwhile; and that the ceiling leaves a body left open alone,
// so that leak still shows.
func TestCallCeiling(t *testing.T) {
	t.Parallel()
	upstream, accepted := stalled(t)
	in := startServer2(t, upstream, "FORWARD_CALL_CEILING=3s")
	done := make(chan reply, 1)
	go func() {
		var r reply
		r.Status = fetchNoFail(in.URL+"/forward", &r)
		done <- r
	}()
	if err := poll.Until(5*time.Second, func() error {
		return poll.True(accepted() == 1 && stats(t, in).Client.InFlight == 1, "one call in flight")
	}); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.Status != http.StatusGatewayTimeout || !strings.Contains(r.Error, "FORWARD_CALL_CEILING=3s") {
		t.Errorf("a call to a server 1 that never answers: %d %q, want 504 naming FORWARD_CALL_CEILING=3s", r.Status, r.Error)
	}
	eventually(t, 5*time.Second, func() error {
		return poll.True(stats(t, in).Client.InFlight == 0, "no call in flight after the 504")
	})

	// A body left open outlives the ceiling: the leak stays.
	const n = 10
	p := startPairOf(t, exe, nil, []string{"FORWARD_CALL_CEILING=1s"})
	for range n {
		if r := get(t, p.Server2.URL+"/forward?client=shared&body=leave-open"); r.Status != http.StatusOK {
			t.Fatalf("leave-open: %d %s", r.Status, r.Error)
		}
	}
	time.Sleep(2 * time.Second) // nothing to poll for: the point is that nothing changes
	if held := stats(t, p.Server2).Client.Held; held != n {
		t.Errorf("2s after %d calls that left their body open, with a ceiling of 1s: %d connections held, want %d", n, held, n)
	}
}

// fetchNoFail is fetch for a goroutine other than the test's: it reports
// a failure as status 0.
func fetchNoFail(url string, v any) int {
	resp, err := client.Get(url)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return 0
	}
	return resp.StatusCode
}

// TestDebugEndpoints checks that /metrics and /debug/pprof/ take GET and
// HEAD only and check their parameters, in JSON.
func TestDebugEndpoints(t *testing.T) {
	t.Parallel()
	in := startServer2(t, "http://127.0.0.1:1")
	tests := []struct {
		method, path string
		status       int
		want         string
	}{
		{"DELETE", "/debug/pprof/profile?seconds=1", 405, "method DELETE is not allowed"},
		{"POST", "/debug/pprof/goroutine", 405, "use GET, HEAD"},
		{"PUT", "/metrics", 405, "use GET, HEAD"},
		{"GET", "/debug/pprof/profile?seconds=abc", 400, `bad value "abc" for parameter seconds`},
		{"GET", "/debug/pprof/profile?seconds=-5", 400, "from 1 to 60"},
		{"GET", "/debug/pprof/trace?seconds=61", 400, "from 1 to 60"},
		{"GET", "/debug/pprof/goroutine?debug=9", 400, "parameter debug"},
		{"GET", "/debug/pprof/heap?bogus=1", 400, `unknown parameter "bogus"`},
		{"GET", "/debug/pprof/nosuch", 404, `no profile "nosuch"`},
		{"GET", "/metrics?x=1", 400, `unknown parameter "x"`},
		{"GET", "/debug/pprof/goroutine?seconds=1&debug=1", 400, "go not together"},
	}
	for _, tt := range tests {
		var r reply
		if status := fetch(t, tt.method, in.URL+tt.path, &r); status != tt.status || !strings.Contains(r.Error, tt.want) {
			t.Errorf("%s %s: %d %q, want %d saying %q", tt.method, tt.path, status, r.Error, tt.status, tt.want)
		}
	}
	for _, method := range []string{"GET", "HEAD"} {
		for _, path := range []string{"/metrics", "/debug/pprof/", "/debug/pprof", "/debug/pprof/goroutine?debug=2", "/debug/pprof/goroutine?debug=02", "/debug/pprof/heap?gc=1", "/debug/pprof/symbol?0x1"} {
			req, _ := http.NewRequest(method, in.URL+path, nil)
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("%s %s: %d, want 200", method, path, resp.StatusCode)
			}
		}
	}
}

// TestNetHTTPRefusals sends what net/http refuses before any handler runs,
// and what it hands on: the README's list of answers that are not JSON
// must say what the server does.
func TestNetHTTPRefusals(t *testing.T) {
	t.Parallel()
	in := startServer2(t, "http://127.0.0.1:1")
	addr := strings.TrimPrefix(in.URL, "http://")
	tests := []struct {
		name, raw string
		status    int
		json      bool // answered by connleak, in JSON
	}{
		{"OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", 400, true},
		{"CONNECT", "CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: x\r\n\r\n", 405, true},
		{"no Host", "GET /hello HTTP/1.1\r\n\r\n", 400, false},
		{"two Hosts", "GET /hello HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400, false},
		{"two Content-Lengths", "POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400, false},
		{"bad header name", "GET /hello HTTP/1.1\r\nHost: x\r\nBad Header: x\r\n\r\n", 400, false},
		{"unknown Transfer-Encoding", "POST /hello HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501, false},
		{"HTTP/9.9", "GET /hello HTTP/9.9\r\nHost: x\r\n\r\n", 505, false},
		{"bogus Expect", "GET /hello HTTP/1.1\r\nHost: x\r\nExpect: bogus\r\n\r\n", 417, false},
		{"h2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400, true},
		{"headers over MaxHeaderBytes and net/http's 4 KiB", "GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("x", server.MaxHeaderBytes+4096) + "\r\n\r\n", 431, false},
	}
	for _, tt := range tests {
		c := dial(t, addr)
		fmt.Fprint(c, tt.raw)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Errorf("%s: %v, want a reply", tt.name, err)
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		isJSON := resp.Header.Get("Content-Type") == "application/json" && strings.HasPrefix(string(b), `{"error":`)
		if resp.StatusCode != tt.status || isJSON != tt.json {
			t.Errorf("%s: %d %q (JSON: %v), want %d (JSON: %v)", tt.name, resp.StatusCode, b, isJSON, tt.status, tt.json)
		}
	}
}

// TestPartialRequestOnKeptAliveConnection checks what the README says of a
// kept-alive connection that starts a request and sends no more: held for
// ever with SERVER_IDLE_TIMEOUT=0, well past ReadHeaderTimeout, and closed
// by SERVER_IDLE_TIMEOUT.
func TestPartialRequestOnKeptAliveConnection(t *testing.T) {
	t.Parallel()
	partial := func(in string) (closed chan struct{}) {
		c := dial(t, strings.TrimPrefix(in, "http://"))
		br := bufio.NewReader(c)
		fmt.Fprint(c, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		fmt.Fprint(c, "GET") // three bytes: net/http waits for four before its header timeout starts
		closed = make(chan struct{})
		go func() {
			io.Copy(io.Discard, br)
			close(closed)
		}()
		return closed
	}
	forever := partial(startServer2(t, "http://127.0.0.1:1").URL)
	ended := partial(startServer2(t, "http://127.0.0.1:1", "SERVER_IDLE_TIMEOUT=1s").URL)
	select {
	case <-ended:
	case <-time.After(server.ReadHeaderTimeout):
		t.Errorf("with SERVER_IDLE_TIMEOUT=1s, the connection was still open after %v", server.ReadHeaderTimeout)
	}
	select {
	case <-forever:
		t.Errorf("with SERVER_IDLE_TIMEOUT=0, the connection was closed within %v; the README says it is held for ever", server.ReadHeaderTimeout+time.Second)
	case <-time.After(time.Second): // by now ReadHeaderTimeout would have fired, had it applied
	}
}

// TestSettingsRedacted checks that a bad setting's line gives away no
// password and forges no other line.
func TestSettingsRedacted(t *testing.T) {
	for _, env := range []string{
		"UPSTREAM_URL=http://user:s3cret@127.0.0.1:1",
		"UPSTREAM_URL=http://user:s3cret@127.0.0.1:1/?q=1",
		"UPSTREAM_URL=http://user:s3cret@[::1",
		"BIND_ADDRESS=127.0.0.1:0\nlevel=ERROR msg=forged",
		"SERVER_IDLE_TIMEOUT=1s\nforged",
	} {
		cmd := exec.Command(exe)
		cmd.Env = []string{env}
		out, err := cmd.CombinedOutput()
		if exitCode(err) != 1 || strings.Count(string(out), "\n") != 1 || strings.Contains(string(out), "s3cret") || !strings.HasPrefix(string(out), "connleak: ") {
			t.Errorf("%q: exit %d, %q; want exit 1 and one line, no password", env, exitCode(err), out)
		}
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
