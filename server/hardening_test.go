package server

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/connleak/connleak/internal/poll"
	"github.com/connleak/connleak/internal/testutil"
)

// shortHeaderTimeout is the header timeout of the tests that watch it at
// work: ReadHeaderTimeout's 5s, shortened.
const shortHeaderTimeout = 300 * time.Millisecond

func withHeaderTimeout(d time.Duration) func(*Server) {
	return func(s *Server) { s.readHeaderTimeout = d }
}

// TestSlowHeaders checks that a client trickling its headers is cut off
// after the header timeout, and that oversized headers are refused.
func TestSlowHeaders(t *testing.T) {
	t.Parallel()
	s := start(t, Config{}, withHeaderTimeout(shortHeaderTimeout))
	begun := time.Now() // before the dial: the server's timeout may start before Dial returns
	conn := testutil.Dial(t, s.URL)
	fmt.Fprint(conn, "GET /hello HTTP/1.1\r\nHost: x\r\n")
	closed := make(chan error, 1)
	go func() {
		_, err := io.Copy(io.Discard, conn)
		closed <- err
	}()
	tick := time.NewTicker(shortHeaderTimeout / 5)
	defer tick.Stop()
	limit := time.After(3 * shortHeaderTimeout)
	for i := 0; ; i++ {
		select {
		case <-closed:
			if took := time.Since(begun); took < shortHeaderTimeout {
				t.Errorf("a client trickling headers was cut off after %v, before the header timeout of %v", took, shortHeaderTimeout)
			}
			goto cut
		case <-tick.C:
			fmt.Fprintf(conn, "X-Slow-%d: 1\r\n", i) // never the blank line that ends the headers
		case <-limit:
			t.Fatalf("a client trickling headers was still connected after %v, 3 times the header timeout", 3*shortHeaderTimeout)
		}
	}
cut:
	req, _ := http.NewRequest("GET", s.URL+"/hello", nil)
	req.Header.Set("X-Big", strings.Repeat("x", 2*MaxHeaderBytes))
	resp, err := testutil.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("%d bytes of headers: status %d, want 431", 2*MaxHeaderBytes, resp.StatusCode)
	}
	testutil.Goroutines(t, s.URL) // still serving
}

// TestPartialRequestOnKeptAliveConnection checks what the README says of a
// kept-alive connection that starts a request and sends no more: held for
// ever with SERVER_IDLE_TIMEOUT=0, well past the header timeout, and
// closed by SERVER_IDLE_TIMEOUT. Both timeouts are shortened, so the test
// watches several header timeouts go by.
func TestPartialRequestOnKeptAliveConnection(t *testing.T) {
	t.Parallel()
	const idleTimeout = 400 * time.Millisecond
	partial := func(url string) (closed chan struct{}) {
		c := testutil.Dial(t, url)
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
	begun := time.Now()
	forever := partial(start(t, Config{}, withHeaderTimeout(shortHeaderTimeout)).URL)
	ended := partial(start(t, Config{IdleTimeout: idleTimeout}, withHeaderTimeout(shortHeaderTimeout)).URL)
	select {
	case <-ended:
		if took := time.Since(begun); took < idleTimeout {
			t.Errorf("with SERVER_IDLE_TIMEOUT=%v, the connection was closed after %v", idleTimeout, took)
		}
	case <-time.After(10 * idleTimeout):
		t.Errorf("with SERVER_IDLE_TIMEOUT=%v, the connection was still open after %v", idleTimeout, 10*idleTimeout)
	}
	watch := 5 * shortHeaderTimeout
	select {
	case <-forever:
		t.Errorf("with SERVER_IDLE_TIMEOUT=0, the connection was closed within %v, and a header timeout of %v; the README says it is held for ever", time.Since(begun), shortHeaderTimeout)
	case <-time.After(time.Until(begun.Add(watch))): // by now the header timeout would have fired 5 times over, had it applied
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
	s := start(t, Config{UpstreamURL: mustURL(t, fake.URL+"/base")})
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
		conn := testutil.Dial(t, s.URL)
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

// TestFailureModes checks /forward, over a real connection, against a
// server 1 that is down, slow, broken or failing, and that server 2 keeps
// serving after each.
func TestFailureModes(t *testing.T) {
	t.Parallel()
	// Port 1, where nothing listens: a port a closed test server had may
	// be taken by another process's test by the time it is dialled.
	const down = "http://127.0.0.1:1"
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
		{"down", down, "", 502, "connection refused"},
		{"slow", slow, "timeout=200ms", 504, "did not answer within timeout=200ms"},
		{"garbage", garbage, "", 502, "not /hello's JSON"},
		{"500", failing, "", 502, "server 1 answered 500 Internal Server Error"},
		{"hang-up", hangup, "", 502, "server 1 cannot be reached"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := start(t, Config{UpstreamURL: mustURL(t, tt.upstream)})
			begun := time.Now()
			r := testutil.Get(t, s.URL+"/forward?"+tt.query)
			took := time.Since(begun)
			if r.Status != tt.status || !strings.Contains(r.Error, tt.want) || r.GoRoutines < 1 {
				t.Errorf("got %d %q, want %d saying %q", r.Status, r.Error, tt.status, tt.want)
			}
			if tt.name == "slow" && (took < 200*time.Millisecond || took > 5*time.Second) {
				t.Errorf("answered in %v: want after timeout=200ms, long before server 1's 10s", took)
			}
			if r := testutil.Get(t, s.URL+"/hello"); r.Status != http.StatusOK {
				t.Errorf("after the failure, /hello answers %d", r.Status)
			}
		})
	}
}

// TestConcurrentShared sends 64 /forward at once through one shared client
// with 64 idle connections allowed: every one answers.
func TestConcurrentShared(t *testing.T) {
	t.Parallel()
	const n, c = 640, 64
	_, s2 := startPair(t, Config{}, Config{})
	var wg sync.WaitGroup
	var ok atomic.Int64
	next := make(chan struct{})
	for range c {
		wg.Go(func() {
			for range next {
				if r := testutil.FetchNoFail(s2.URL + "/forward?client=shared&maxIdleConnsPerHost=64"); r.Status == http.StatusOK {
					ok.Add(1)
				}
			}
		})
	}
	for range n {
		next <- struct{}{}
	}
	close(next)
	wg.Wait()
	if got := ok.Load(); got != n {
		t.Fatalf("%d requests, %d at once: %d answered 200, want all", n, c, got)
	}
	if st := s2.stats(t); st.Client.Held > c || st.Client.Opened > c {
		t.Errorf("client %+v: want at most %d connections, opened and held", st.Client, c)
	}
}

// TestBodyLimit checks that no path of /forward reads more than MaxBody of
// server 1's reply: a reply that is /hello's JSON padded past the bound is
// a 502 on every path, and one just under it is read.
func TestBodyLimit(t *testing.T) {
	t.Parallel()
	padded := func(size int) Config {
		const hello = `{"msg":"Hello World","goRoutines":1}`
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			fmt.Fprint(w, hello+strings.Repeat(" ", size-len(hello)))
		}))
		t.Cleanup(ts.Close)
		return Config{UpstreamURL: mustURL(t, ts.URL)}
	}
	big := start(t, padded(MaxBody+1))
	small := start(t, padded(MaxBody))
	for _, q := range []string{"client=new", "client=shared", "client=nethttp", "client=new&body=drain-close", "client=nethttp&body=drain-close", "transport=resty"} {
		if r := testutil.Get(t, big.URL+"/forward?"+q); r.Status != http.StatusBadGateway || !strings.Contains(r.Error, "larger than 1048576 bytes") {
			t.Errorf("%s, a reply of MaxBody+1 bytes: %d %q, want 502 saying it is larger than the bound", q, r.Status, r.Error)
		}
		if r := testutil.Get(t, small.URL+"/forward?"+q); r.Status != http.StatusOK {
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
	s := start(t, Config{UpstreamURL: mustURL(t, redirecting.URL)})
	for _, q := range []string{"client=new", "client=shared", "client=nethttp", "transport=resty", "body=drain-close", "body=close", "client=nethttp&body=leave-open"} {
		r := testutil.Get(t, s.URL+"/forward?"+q)
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
	const ceiling = time.Second
	upstream, accepted := testutil.Stalled(t)
	s := start(t, Config{UpstreamURL: mustURL(t, upstream), CallCeiling: ceiling})
	done := make(chan testutil.Reply, 1)
	begun := time.Now()
	go func() { done <- testutil.FetchNoFail(s.URL + "/forward") }()
	if err := poll.Until(5*time.Second, func() error {
		return poll.True(accepted() == 1 && s.stats(t).Client.InFlight == 1, "one call in flight")
	}); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.Status != http.StatusGatewayTimeout || !strings.Contains(r.Error, "FORWARD_CALL_CEILING=1s") {
		t.Errorf("a call to a server 1 that never answers: %d %q, want 504 naming FORWARD_CALL_CEILING=1s", r.Status, r.Error)
	}
	if took := time.Since(begun); took < ceiling {
		t.Errorf("the 504 came after %v, before the ceiling of %v", took, ceiling)
	}
	testutil.Eventually(t, 5*time.Second, func() error {
		return poll.True(s.stats(t).Client.InFlight == 0, "no call in flight after the 504")
	})

	// A body left open outlives the ceiling: the leak stays.
	const n = 10
	_, s2 := startPair(t, Config{}, Config{CallCeiling: ceiling / 2})
	for range n {
		if r := testutil.Get(t, s2.URL+"/forward?client=shared&body=leave-open"); r.Status != http.StatusOK {
			t.Fatalf("leave-open: %d %s", r.Status, r.Error)
		}
	}
	time.Sleep(2 * ceiling / 2) // nothing to poll for: the point is that nothing changes
	if held := s2.stats(t).Client.Held; held != n {
		t.Errorf("twice the ceiling after %d calls that left their body open, with a ceiling of %v: %d connections held, want %d", n, ceiling/2, held, n)
	}
}

// TestDebugEndpoints checks that /metrics and /debug/pprof/ take GET and
// HEAD only and check their parameters, in JSON.
func TestDebugEndpoints(t *testing.T) {
	t.Parallel()
	s := start(t, Config{})
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
		var r testutil.Reply
		if status := testutil.Fetch(t, tt.method, s.URL+tt.path, &r); status != tt.status || !strings.Contains(r.Error, tt.want) {
			t.Errorf("%s %s: %d %q, want %d saying %q", tt.method, tt.path, status, r.Error, tt.status, tt.want)
		}
	}
	for _, method := range []string{"GET", "HEAD"} {
		for _, path := range []string{"/metrics", "/debug/pprof/", "/debug/pprof", "/debug/pprof/goroutine?debug=2", "/debug/pprof/goroutine?debug=02", "/debug/pprof/heap?gc=1", "/debug/pprof/symbol?0x1"} {
			req, _ := http.NewRequest(method, s.URL+path, nil)
			resp, err := testutil.Client.Do(req)
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
	s := start(t, Config{})
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
		{"headers over MaxHeaderBytes and net/http's 4 KiB", "GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("x", MaxHeaderBytes+4096) + "\r\n\r\n", 431, false},
	}
	for _, tt := range tests {
		c := testutil.Dial(t, s.URL)
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

// TestConnReused checks connReused and the client accounting of a shared
// client over real connections: one connection, reused.
func TestConnReused(t *testing.T) {
	t.Parallel()
	const n = 10
	_, s2 := startPair(t, Config{}, Config{})
	for i := range n {
		r := testutil.Get(t, s2.URL+"/forward?client=shared")
		if r.Status != http.StatusOK || r.ConnReused != (i > 0) {
			t.Fatalf("request %d: %+v, want connReused %v", i+1, r, i > 0)
		}
	}
	if want := (ClientStats{Opened: 1, Reused: n - 1, Held: 1, HTTP1: ProtoStats{Opened: 1, Reused: n - 1}}); s2.stats(t).Client != want {
		t.Errorf("client = %+v, want %+v", s2.stats(t).Client, want)
	}
}
