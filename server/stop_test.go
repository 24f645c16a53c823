package server

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/connleak/connleak/internal/poll"
	"github.com/connleak/connleak/internal/testutil"
)

// TestStopCutsWhatIsLeft stops a server with every kind of request in
// flight: after the grace period each handler still waiting answers 503 in
// JSON, the rest is closed, one log line says what was cut, and Serve
// returns nil (the process exits 0).
func TestStopCutsWhatIsLeft(t *testing.T) {
	t.Parallel()
	upstream, accepted := testutil.Stalled(t)
	s := start(t, Config{UpstreamURL: mustURL(t, upstream)})

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
			req, _ := http.NewRequest(http.MethodGet, s.URL+path, nil)
			req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
				WroteRequest: func(httptrace.WroteRequestInfo) { sent.Done() },
			}))
			a := answer{path: path}
			resp, err := testutil.Client.Do(req)
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
	half := testutil.Dial(t, s.URL)
	fmt.Fprint(half, "GET /hello HTTP/1.1\r\nHost: x\r\n") // never the blank line
	idle := testutil.Dial(t, s.URL)
	if err := poll.Until(5*time.Second, func() error {
		return poll.True(accepted() == 1 && s.stats(t).Client.InFlight == 1, "/forward's call to reach the stalled server 1")
	}); err != nil {
		t.Fatal(err)
	}

	if err := s.stop(); err != nil {
		t.Errorf("stop with requests in flight: Serve returned %v, want nil", err)
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

	var cut []string
	for l := range strings.Lines(s.Log.String()) {
		if strings.Contains(l, "cut what was left") {
			cut = append(cut, l)
		}
	}
	want := regexp.MustCompile(`level=WARN .* grace=5s requests=3 paths="\\"/debug/pprof/profile\\" 1, \\"/forward\\" 1, \\"/hello\\" 1" connections=\d+$`)
	if len(cut) != 1 || !want.MatchString(strings.TrimSpace(cut[0])) {
		t.Errorf("log lines about the cut: %q, want one matching %s", cut, want)
	}
}

// TestStopQuiet checks that a stop with nothing in flight, an idle
// kept-alive connection aside, is quick: Serve returns well before the
// grace period would have ended, says nothing of a cut, and returns nil.
func TestStopQuiet(t *testing.T) {
	t.Parallel()
	s := start(t, Config{})
	idle := testutil.Dial(t, s.URL)
	fmt.Fprint(idle, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(idle), nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	testutil.Eventually(t, 5*time.Second, func() error {
		st := s.serverConns.stats()
		return poll.True(st.Idle == 1 && st.Active == 0, "the kept-alive connection to be idle")
	})

	begun := time.Now()
	if err := s.stop(); err != nil {
		t.Errorf("stop: Serve returned %v, want nil", err)
	}
	// A stop that waited for the grace period would take all of it.
	if took, bound := time.Since(begun), ShutdownTimeout/2; took >= bound {
		t.Errorf("a stop with nothing in flight took %v, want well within the %v grace period (under %v)", took, ShutdownTimeout, bound)
	}
	if log := s.Log.String(); strings.Contains(log, "cut") {
		t.Errorf("log %q says something was cut", log)
	}
}
