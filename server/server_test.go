package server

import (
	"encoding/json"
	"fmt"
	"go/version"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// server1 starts an in-process server 1 and counts the connections it
// accepts (in its /stats too, where h is a *Server). It is closed, with every
// connection, when the test ends.
func server1(t *testing.T, h http.Handler) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var conns atomic.Int64
	ts := httptest.NewUnstartedServer(h)
	ts.Config.ConnState = func(c net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
		if srv, ok := h.(*Server); ok {
			srv.serverConns.track(c, s)
		}
	}
	ts.Start()
	t.Cleanup(ts.Close)
	return ts, &conns
}

// server2 returns a server whose /forward calls upstream.
func server2(t *testing.T, upstream string) *Server {
	t.Helper()
	s := New(Config{UpstreamURL: mustURL(t, upstream), Forward: DefaultOptions()})
	t.Cleanup(func() { s.clientConns.release() })
	return s
}

func mustURL(t testing.TB, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func serve(h http.Handler, method, target string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(method, target, nil))
	return w
}

var (
	helloShape   = regexp.MustCompile(`^\{"msg":"Hello World","goRoutines":[1-9][0-9]*\}$`)
	forwardShape = regexp.MustCompile(`^\{"goRoutines":[1-9][0-9]*,"Server1Response":\{"msg":"Hello World","goRoutines":[1-9][0-9]*\},"connReused":(true|false),"proto":"HTTP/(1\.1|2\.0)"\}$`)
	nullShape    = regexp.MustCompile(`^\{"goRoutines":[1-9][0-9]*,"Server1Response":null,"connReused":(true|false),"proto":"HTTP/(1\.1|2\.0)"\}$`)
	errorShape   = regexp.MustCompile(`^\{"error":"[^"]+.*","goRoutines":[1-9][0-9]*\}$`)
)

// TestReplyShapes checks the Resty demo's JSON, key order and all, with no
// trailing newline, so that a curl loop prints one reply per line.
func TestReplyShapes(t *testing.T) {
	ts, _ := server1(t, New(Config{Forward: DefaultOptions()}))
	s := server2(t, ts.URL)
	tests := []struct {
		method, target string
		shape          *regexp.Regexp
	}{
		{"GET", "/hello", helloShape},
		{"POST", "/hello", helloShape},
		{"GET", "/forward?client=shared", forwardShape},
		{"GET", "/forward?client=shared&body=drain-close", forwardShape},
		{"GET", "/forward?client=shared&body=close", nullShape},
		{"GET", "/forward?client=shared&body=leave-open&connClose=true", nullShape},
		{"GET", "/forward?client=nethttp", forwardShape},
		{"GET", "/forward?client=nethttp&body=drain-close&delay=1ms", forwardShape},
		{"GET", "/forward?client=nethttp&body=close", nullShape},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			w := serve(s, tt.method, tt.target)
			if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "application/json" || !tt.shape.Match(w.Body.Bytes()) {
				t.Errorf("got %d %s %q, want 200 application/json matching %s", w.Code, w.Header().Get("Content-Type"), w.Body, tt.shape)
			}
		})
	}
}

// TestBadInput checks that every bad request gets a JSON error naming what
// was wrong and what is accepted.
func TestBadInput(t *testing.T) {
	ts, _ := server1(t, New(Config{Forward: DefaultOptions()}))
	s := server2(t, ts.URL)
	tests := []struct {
		method, target string
		code           int
		want           []string
	}{
		{"GET", "/forward?foo=1", 400, []string{`unknown parameter \"foo\"`, "accepted are client, transport"}},
		{"GET", "/forward?delay=1s&delay=2s", 400, []string{"delay given 2 times"}},
		{"GET", "/forward?client=pooled", 400, []string{"client", "one of new, shared, nethttp"}},
		{"GET", "/forward?transport=http2", 400, []string{"transport", "one of custom, resty"}},
		{"GET", "/forward?idleConnTimeout=-1s", 400, []string{"idleConnTimeout", "Go duration from 0 to 1h"}},
		{"GET", "/forward?disableKeepAlives=yes", 400, []string{"disableKeepAlives", "true or false"}},
		{"GET", "/forward?maxIdleConnsPerHost=x", 400, []string{"maxIdleConnsPerHost", "whole number"}},
		{"GET", "/forward?maxConnsPerHost=-5", 400, []string{"maxConnsPerHost", "whole number"}},
		{"GET", "/forward?timeout=1h", 400, []string{"timeout", "to 1m"}},
		{"GET", "/forward?tlsHandshakeTimeout=soon", 400, []string{"tlsHandshakeTimeout", "Go duration from 0 to 1m"}},
		{"GET", "/forward?stallHandshake=yes", 400, []string{"stallHandshake", "true or false"}},
		{"GET", "/forward?stallHandshake=true", 400, []string{"stallHandshake=true", "UPSTREAM_URL is http", "needs an https upstream", "SERVER_PROTO=h1-tls or h2"}},
		{"GET", "/forward?body=open", 400, []string{"body", "read, leave-open, close, drain-close"}},
		{"GET", "/forward?connClose=sure", 400, []string{"connClose", "true or false"}},
		{"GET", "/forward?delay=11s", 400, []string{"delay", "from 0 to 10s"}},
		{"GET", "/forward?%zz", 400, []string{"malformed query string"}},
		{"POST", "/forward", 405, []string{"POST", "use GET"}},
		{"GET", "/hello?delay=11s", 400, []string{"delay", "to 10s"}},
		{"GET", "/hello?timeout=1s", 400, []string{"timeout", "accepted are connClose, delay"}},
		{"GET", "/hello?connClose=1&connClose=1", 400, []string{"connClose given 2 times"}},
		{"PUT", "/hello", 405, []string{"PUT", "use GET, POST"}},
		{"GET", "/nope", 404, []string{"/nope", "use /, /hello, /forward, /stats, /live"}},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			w := serve(s, tt.method, tt.target)
			body := w.Body.String()
			if w.Code != tt.code || w.Header().Get("Content-Type") != "application/json" || !errorShape.MatchString(body) {
				t.Fatalf("got %d %s %q, want %d with a JSON error", w.Code, w.Header().Get("Content-Type"), body, tt.code)
			}
			for _, want := range tt.want {
				if !strings.Contains(body, want) {
					t.Errorf("error %s does not say %q", body, want)
				}
			}
			if tt.code == 405 && w.Header().Get("Allow") == "" {
				t.Errorf("405 without an Allow header")
			}
		})
	}
}

// TestUpstreamFailures checks /forward's answer when server 1 is down,
// slow, or answers something that is not /hello's JSON.
func TestUpstreamFailures(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close() // nothing listens there any more

	garbage, _ := server1(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<html>not JSON</html>")
	}))
	wrongJSON, _ := server1(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"hello":"world"}`)
	}))
	failing, _ := server1(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	}))
	slow, _ := server1(t, New(Config{Forward: DefaultOptions()}))

	tests := []struct {
		name, upstream, query string
		code                  int
		want                  string
	}{
		{"down", closed.URL, "", 502, "server 1 cannot be reached"},
		{"garbage", garbage.URL, "client=shared", 502, "not /hello's JSON"},
		{"garbage drained", garbage.URL, "client=shared&body=drain-close", 502, "not /hello's JSON"},
		{"wrong JSON", wrongJSON.URL, "client=shared", 502, "not /hello's JSON"},
		{"500", failing.URL, "client=shared", 502, "server 1 answered 500 Internal Server Error"},
		{"500 unread", failing.URL, "client=shared&body=leave-open", 502, "server 1 answered 500"},
		{"slow", slow.URL, "client=shared&timeout=50ms&delay=5s", 504, "did not answer within timeout=50ms"},
		{"slow unread", slow.URL, "client=shared&timeout=50ms&delay=5s&body=close", 504, "did not answer within timeout=50ms"},
		{"slow net/http", slow.URL, "client=nethttp&timeout=50ms&delay=5s", 504, "did not answer within timeout=50ms"},
		{"500 net/http", failing.URL, "client=nethttp", 502, "server 1 answered 500 Internal Server Error"},
		{"garbage net/http", garbage.URL, "client=nethttp", 502, "not /hello's JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(server2(t, tt.upstream), "GET", "/forward?"+tt.query)
			if w.Code != tt.code || !errorShape.Match(w.Body.Bytes()) || !strings.Contains(w.Body.String(), tt.want) {
				t.Errorf("got %d %q, want %d with a JSON error saying %q", w.Code, w.Body, tt.code, tt.want)
			}
		})
	}
}

// TestBodyModes checks which body modes let the shared client reuse its
// connection: reading the body to the end does; closing it unread does on
// Go 1.27 and later for a body within the drain limit (256 KiB), where the
// transport drains it, and never above it.
func TestBodyModes(t *testing.T) {
	const n = 5
	drains := version.Compare(runtime.Version(), "go1.27") >= 0
	tests := []struct {
		query string
		reuse bool // whether server 1 accepts fewer connections than calls
	}{
		{"body=read", true},
		{"body=drain-close", true},
		{"body=close", drains}, // closed unread: thrown away and dialled anew, or drained
		{"body=close&bodySize=300000", false},
		{"body=leave-open", false}, // never released: a new one each time, and the old ones leak
	}
	for _, client := range []string{"shared", "nethttp"} {
		for _, tt := range tests {
			t.Run(client+"/"+tt.query, func(t *testing.T) {
				ts, conns := server1(t, New(Config{Forward: DefaultOptions()}))
				s := server2(t, ts.URL)
				for range n {
					if w := serve(s, "GET", "/forward?client="+client+"&"+tt.query); w.Code != http.StatusOK {
						t.Fatalf("got %d %s", w.Code, w.Body)
					}
				}
				// Reading to the end reuses one connection; a drain runs
				// after Close returns, so a call may start before it ends
				// and dial anew: fewer connections than calls is reuse.
				got := conns.Load()
				if want := int64(n); tt.reuse == (got == want) || tt.query != "body=close" && tt.reuse && got != 1 {
					t.Errorf("client=%s&%s on %s: server 1 accepted %d connections for %d calls, want reuse %v", client, tt.query, runtime.Version(), got, n, tt.reuse)
				}
			})
		}
	}
}

// TestConnectionClose checks both ways of making /hello answer with
// "Connection: close".
func TestConnectionClose(t *testing.T) {
	tests := []struct {
		closeAll bool
		target   string
		want     bool
	}{
		{false, "/hello", false},
		{false, "/hello?connClose=true", true},
		{true, "/hello", true},
	}
	for _, tt := range tests {
		w := serve(New(Config{ConnectionClose: tt.closeAll}), "GET", tt.target)
		if got := w.Header().Get("Connection") == "close"; got != tt.want {
			t.Errorf("CONNECTION_CLOSE=%v GET %s: Connection: close = %v, want %v", tt.closeAll, tt.target, got, tt.want)
		}
	}
}

// TestForwardPassesOn checks that /forward asks server 1 for connClose and
// delay, and that server 1 honours them.
func TestForwardPassesOn(t *testing.T) {
	var got atomic.Value
	ts, conns := server1(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Method + " " + r.URL.RequestURI())
		New(Config{}).ServeHTTP(w, r)
	}))
	s := server2(t, ts.URL)
	start := time.Now()
	for range 3 {
		if w := serve(s, "GET", "/forward?client=shared&connClose=true&delay=20ms"); w.Code != http.StatusOK {
			t.Fatalf("got %d %s", w.Code, w.Body)
		}
	}
	if took := time.Since(start); took < 60*time.Millisecond {
		t.Errorf("3 calls with delay=20ms took %v, want >= 60ms", took)
	}
	if want := "POST /hello?connClose=true&delay=20ms"; got.Load() != want {
		t.Errorf("server 1 got %q, want %q", got.Load(), want)
	}
	if c := conns.Load(); c != 3 {
		t.Errorf("server 1 accepted %d connections for 3 calls with connClose=true, want 3", c)
	}
}

// TestSharedClients checks that client=shared keeps one client per
// configuration, and refuses more than maxSharedClients of them.
func TestSharedClients(t *testing.T) {
	c := newClients(newClientConns(maxHeldCap), nil)
	defer c.conns.release()
	o := DefaultOptions()
	o.Client = "shared"
	a, _ := c.get(o)
	o.Body, o.Delay, o.ConnClose = BodyClose, time.Second, true // per call: same client
	if b, _ := c.get(o); a != b {
		t.Errorf("body, delay and connClose gave a new shared client, want the same one")
	}
	o.IdleConnTimeout = time.Second
	if b, _ := c.get(o); a == b {
		t.Errorf("another idleConnTimeout gave the same shared client, want a new one")
	}
	for _, set := range []func(*Options){
		func(o *Options) { o.StallHandshake = true },
		func(o *Options) { o.TLSHandshakeTimeout = time.Second },
	} {
		before, _ := c.get(o)
		set(&o)
		if b, _ := c.get(o); b == before {
			t.Errorf("%+v gave the same shared client as before, want a new one: its Transport differs", o)
		}
	}
	o.Client = "new"
	if b, _ := c.get(o); a == b {
		t.Errorf("client=new gave a shared client")
	}

	ts, _ := server1(t, New(Config{}))
	s := server2(t, ts.URL)
	for i := range maxSharedClients {
		if w := serve(s, "GET", fmt.Sprintf("/forward?client=shared&idleConnTimeout=%dms", i+1)); w.Code != http.StatusOK {
			t.Fatalf("configuration %d: got %d %s", i+1, w.Code, w.Body)
		}
	}
	w := serve(s, "GET", "/forward?client=shared&idleConnTimeout=1s")
	if w.Code != http.StatusTooManyRequests || !strings.Contains(w.Body.String(), "64 distinct configurations") {
		t.Errorf("configuration 65: got %d %s, want 429 saying the limit", w.Code, w.Body)
	}
	if w := serve(s, "GET", "/forward?client=shared&idleConnTimeout=1ms"); w.Code != http.StatusOK {
		t.Errorf("a known configuration after the limit: got %d %s, want 200", w.Code, w.Body)
	}
}

// TestTransports checks the Transport behind each transport= value: the
// physics table's "stays 90 s" for resty-default rests on it.
func TestTransports(t *testing.T) {
	clientOf := func(cc clientConfig) (*http.Client, *http.Transport) {
		switch c := newClients(newClientConns(1), nil).newClient(cc).(type) {
		case restyCaller:
			if cc.plain {
				t.Errorf("client=nethttp made a Resty client")
			}
			return c.c.GetClient(), c.t
		case plainCaller:
			if !cc.plain {
				t.Errorf("client=shared made a net/http client")
			}
			return c.c, c.t
		}
		t.Fatalf("no client for %+v", cc)
		return nil, nil
	}
	httpClient := func(cc clientConfig) *http.Client { c, _ := clientOf(cc); return c }
	transport := func(cc clientConfig) *http.Transport { _, tr := clientOf(cc); return tr }
	bare := transport(clientConfig{transport: "custom"})
	if bare.IdleConnTimeout != 0 || bare.MaxIdleConnsPerHost != 0 || bare.DisableKeepAlives || bare.Proxy != nil || bare.TLSHandshakeTimeout != 0 {
		t.Errorf("transport=custom: %+v, want a bare &http.Transport{}", bare)
	}
	tuned := transport(clientConfig{transport: "custom", idleConnTimeout: time.Second, disableKeepAlives: true, maxIdleConnsPerHost: 3, maxConnsPerHost: 4})
	if tuned.IdleConnTimeout != time.Second || !tuned.DisableKeepAlives || tuned.MaxIdleConnsPerHost != 3 || tuned.MaxConnsPerHost != 4 {
		t.Errorf("transport=custom with every field: %+v", tuned)
	}
	resty := transport(clientConfig{transport: "resty"})
	if resty.IdleConnTimeout != 90*time.Second || resty.MaxIdleConnsPerHost != runtime.GOMAXPROCS(0)+1 {
		t.Errorf("transport=resty: IdleConnTimeout %v, MaxIdleConnsPerHost %d, want Resty's 90s and GOMAXPROCS+1", resty.IdleConnTimeout, resty.MaxIdleConnsPerHost)
	}
	if r := transport(clientConfig{transport: "resty", idleConnTimeout: time.Second}); r.IdleConnTimeout != time.Second || r.MaxIdleConns != 100 {
		t.Errorf("transport=resty&idleConnTimeout=1s: IdleConnTimeout %v, MaxIdleConns %d, want 1s over Resty's other defaults", r.IdleConnTimeout, r.MaxIdleConns)
	}
	if resty.TLSHandshakeTimeout != 10*time.Second {
		t.Errorf("transport=resty: TLSHandshakeTimeout %v, want Resty's 10s", resty.TLSHandshakeTimeout)
	}
	for _, tr := range []string{"custom", "resty"} {
		if got := transport(clientConfig{transport: tr, tlsHandshakeTimeout: 100 * time.Millisecond}).TLSHandshakeTimeout; got != 100*time.Millisecond {
			t.Errorf("transport=%s&tlsHandshakeTimeout=100ms: TLSHandshakeTimeout %v", tr, got)
		}
	}
	for _, plain := range []bool{false, true} {
		if c := httpClient(clientConfig{plain: plain, transport: "custom", timeout: 3 * time.Second}); c.Timeout != 3*time.Second {
			t.Errorf("timeout=3s, nethttp %v: client timeout %v", plain, c.Timeout)
		}
	}
	if p := transport(clientConfig{plain: true, transport: "custom", idleConnTimeout: time.Second, maxIdleConnsPerHost: 8}); p.IdleConnTimeout != time.Second || p.MaxIdleConnsPerHost != 8 || p.Proxy != nil {
		t.Errorf("client=nethttp&idleConnTimeout=1s&maxIdleConnsPerHost=8: %+v", p)
	}
}

// TestErrorGoroutines checks that errors carry a real goroutine count.
func TestErrorGoroutines(t *testing.T) {
	w := serve(New(Config{}), "GET", "/nope")
	var e errorReply
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.GoRoutines < 1 || e.Error == "" {
		t.Errorf("got %q (%v), want an error and a goroutine count >= 1", w.Body, err)
	}
}

func TestLongQuery(t *testing.T) {
	long := "/forward?body=" + strings.Repeat("x", MaxQueryBytes)
	w := serve(New(Config{}), "GET", long)
	if w.Code != http.StatusRequestURITooLong || !errorShape.Match(w.Body.Bytes()) || !strings.Contains(w.Body.String(), "at most 2048") {
		t.Errorf("GET with a %d-byte query: %d %s, want 414 saying the limit", len(long), w.Code, w.Body)
	}
}
