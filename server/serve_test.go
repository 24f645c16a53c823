package server

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/connleak/connleak/internal/testutil"
)

// serving is a Server running Serve on a real loopback listener, in this
// process: what the lab's child processes run, without the process.
type serving struct {
	*Server
	URL string               // such as http://127.0.0.1:40123
	Log *testutil.SyncBuffer // what Serve logged

	cancel context.CancelFunc
	done   chan error // Serve's return, once it has returned
	once   sync.Once
	err    error
}

// serve starts New(cfg), changed by each of tune, with Serve on
// 127.0.0.1:0, and stops it when the test ends. An empty upstream in cfg is
// a server 1 that nobody answers on.
func start(t *testing.T, cfg Config, tune ...func(*Server)) *serving {
	t.Helper()
	if cfg.UpstreamURL == nil {
		cfg.UpstreamURL = mustURL(t, "http://127.0.0.1:1")
	}
	if cfg.Forward == (Options{}) {
		cfg.Forward = DefaultOptions()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &serving{Server: New(cfg), Log: &testutil.SyncBuffer{}, done: make(chan error, 1)}
	for _, f := range tune {
		f(s.Server)
	}
	scheme := "http"
	if cfg.Proto == ServeH1TLS || cfg.Proto == ServeH2 {
		scheme = "https"
	}
	s.URL = scheme + "://" + ln.Addr().String()
	var ctx context.Context
	ctx, s.cancel = context.WithCancel(context.Background())
	go func() { s.done <- s.Serve(ctx, ln, slog.New(slog.NewTextHandler(s.Log, nil))) }()
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Errorf("stop %s: %v", s.URL, err)
		}
	})
	return s
}

// startPair starts server 1 with cfg1, then server 2 with cfg2 forwarding
// to it; server 2 stops first.
func startPair(t *testing.T, cfg1, cfg2 Config) (s1, s2 *serving) {
	t.Helper()
	s1 = start(t, cfg1)
	cfg2.UpstreamURL = mustURL(t, s1.URL)
	return s1, start(t, cfg2)
}

// stop ends Serve as a signal does, by its context, and returns what Serve
// returned; it fails if Serve has not returned well after the grace period
// and the cut. Calling it again returns the same.
func (s *serving) stop() error {
	s.once.Do(func() {
		s.cancel()
		select {
		case s.err = <-s.done:
		case <-time.After(2*ShutdownTimeout + cutTimeout):
			s.err = fmt.Errorf("Serve had not returned %v after its context was done", 2*ShutdownTimeout+cutTimeout)
		}
	})
	return s.err
}

// stats is the server's /stats.
func (s *serving) stats(t *testing.T) Stats {
	t.Helper()
	var st Stats
	if status := testutil.Fetch(t, http.MethodGet, s.URL+"/stats", &st); status != http.StatusOK {
		t.Fatalf("GET %s/stats: status %d", s.URL, status)
	}
	return st
}

// TestServeStartLine checks Serve's one line at start: where it listens and
// what it was configured with.
func TestServeStartLine(t *testing.T) {
	t.Parallel()
	s := start(t, Config{MaxHeld: 10, CallCeiling: 3 * time.Second})
	testutil.Goroutines(t, s.URL)
	line := s.Log.String()
	for _, want := range []string{`msg="connleak serving"`, "addr=" + strings.TrimPrefix(s.URL, "http://"), "url=" + s.URL, "maxHeld=10", "callCeiling=3s", "upstream=http://127.0.0.1:1/hello"} {
		if !strings.Contains(line, want) {
			t.Errorf("start-up line %q does not say %s", line, want)
		}
	}
	if n := strings.Count(line, "\n"); n != 1 {
		t.Errorf("Serve logged %d lines at start, want 1:\n%s", n, line)
	}
	if New(Config{}).readHeaderTimeout != ReadHeaderTimeout {
		t.Errorf("New's header timeout is not ReadHeaderTimeout")
	}
}
