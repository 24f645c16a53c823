package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/connleak/connleak/internal/poll"
)

// stalled is a server 1 that accepts connections and never answers; it
// closes them when the test ends. It returns its URL and a count of the
// connections it accepted.
func stalled(t *testing.T) (string, func() int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex // guards conns
		conns []net.Conn
		wg    sync.WaitGroup
	)
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	})
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + ln.Addr().String(), func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(conns)
	}
}

// TestStopCutsWhatIsLeft stops a server with every kind of request in
// flight: after the grace period each handler still waiting answers 503 in
// JSON, the rest is closed, one log line says what was cut, and the process
// exits 0.
func TestStopCutsWhatIsLeft(t *testing.T) {
	t.Parallel()
	upstream, accepted := stalled(t)
	in := startServer2(t, upstream)
	addr := strings.TrimPrefix(in.URL, "http://")

	type answer struct {
		path   string
		status int
		body   string
		err    error
	}
	answers := make(chan answer, 3)
	var sent sync.WaitGroup
	for _, path := range []string{"/hello?delay=10s", "/forward", "/debug/pprof/profile?seconds=30"} {
		sent.Add(1)
		go func() {
			req, _ := http.NewRequest(http.MethodGet, in.URL+path, nil)
			req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
				WroteRequest: func(httptrace.WroteRequestInfo) { sent.Done() },
			}))
			a := answer{path: path}
			resp, err := client.Do(req)
			if err == nil {
				var b []byte
				b, err = io.ReadAll(resp.Body)
				resp.Body.Close()
				a.status, a.body = resp.StatusCode, string(b)
			}
			a.err = err
			answers <- a
		}()
	}
	sent.Wait()
	half := dial(t, addr)
	fmt.Fprint(half, "GET /hello HTTP/1.1\r\nHost: x\r\n") // never the blank line
	idle := dial(t, addr)
	if err := poll.Until(5*time.Second, func() error {
		return poll.True(accepted() == 1 && stats(t, in).Client.InFlight == 1, "/forward's call to reach the stalled server 1")
	}); err != nil {
		t.Fatal(err)
	}

	if err := in.Stop(); err != nil {
		t.Errorf("stop with requests in flight: %v, want exit status 0", err)
	}
	for range 3 {
		a := <-answers
		switch {
		case a.err != nil:
			t.Errorf("%s: %v, want an answer", a.path, a.err)
		case strings.HasPrefix(a.path, "/debug/pprof/profile"):
			if a.status != http.StatusOK || len(a.body) == 0 {
				t.Errorf("%s: %d with %d bytes, want 200 and the profile so far", a.path, a.status, len(a.body))
			}
		case a.status != http.StatusServiceUnavailable || !strings.Contains(a.body, `"error":"connleak is stopping`):
			t.Errorf("%s: %d %s, want 503 saying connleak is stopping", a.path, a.status, a.body)
		}
	}
	for name, c := range map[string]net.Conn{"a half-sent request": half, "an idle connection": idle} {
		if b, err := io.ReadAll(c); err != nil || len(b) != 0 {
			t.Errorf("%s: read %q, %v; want the connection closed", name, b, err)
		}
	}

	log, _ := os.ReadFile(in.Log)
	var cut []string
	for l := range strings.Lines(string(log)) {
		if strings.Contains(l, "cut what was left") {
			cut = append(cut, l)
		}
	}
	want := regexp.MustCompile(`level=WARN .* grace=5s requests=3 paths="\\"/debug/pprof/profile\\" 1, \\"/forward\\" 1, \\"/hello\\" 1" connections=\d+$`)
	if len(cut) != 1 || !want.MatchString(strings.TrimSpace(cut[0])) {
		t.Errorf("log lines about the cut: %q, want one matching %s", cut, want)
	}
}

// TestStopQuiet checks that a stop with nothing in flight is quick, says
// nothing of a cut, and exits 0.
func TestStopQuiet(t *testing.T) {
	t.Parallel()
	in := startServer2(t, "http://127.0.0.1:1")
	goroutines(t, in)
	if err := in.Stop(); err != nil {
		t.Errorf("stop: %v, want exit status 0", err)
	}
	if log, _ := os.ReadFile(in.Log); strings.Contains(string(log), "cut") {
		t.Errorf("log %q says something was cut", log)
	}
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
