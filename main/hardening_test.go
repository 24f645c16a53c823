package main

import (
	"bufio"
	"context"
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
	"testing"
	"time"

	"connleak/demo"
	"connleak/server"
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
			t.Logf("answered in %v", took)
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
