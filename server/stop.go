package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/connleak/connleak/internal/poll"
)

// Stopping. A stop (SIGINT, SIGTERM: Serve's context done) is not an
// error. Serve stops accepting and gives the requests in flight
// ShutdownTimeout to finish. Whatever is left then is cut: handlers still
// waiting (a /hello delay, a /forward call to a stalled server 1) answer 503
// in JSON, calls to server 1 are cancelled, every connection still open (a
// half-sent request, a connection that never sent one) is closed, and one
// log line says what was cut. Serve then returns nil: the process exits 0.
const (
	// ShutdownTimeout is the grace period: how long Serve waits for
	// requests in flight once it is told to stop.
	ShutdownTimeout = 5 * time.Second
	// cutTimeout is how long the handlers cut after the grace period have
	// to write their 503 before their connections are closed.
	cutTimeout = time.Second
)

// inflight counts the requests being answered, by path.
type inflight struct {
	mu     sync.Mutex     // guards byPath
	byPath map[string]int // requests under way; a path leaves when its count is 0
}

func newInflight() *inflight { return &inflight{byPath: make(map[string]int)} }

// start counts a request to path until the returned func is called.
func (in *inflight) start(path string) (done func()) {
	in.mu.Lock()
	in.byPath[path]++
	in.mu.Unlock()
	return func() {
		in.mu.Lock()
		defer in.mu.Unlock()
		if in.byPath[path]--; in.byPath[path] <= 0 {
			delete(in.byPath, path)
		}
	}
}

// total is how many requests are under way.
func (in *inflight) total() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	n := 0
	for _, c := range in.byPath {
		n += c
	}
	return n
}

// describe is the requests under way, such as `"/hello" 2, "/forward" 1`,
// paths quoted so that no path can forge a log line.
func (in *inflight) describe() string {
	in.mu.Lock()
	defer in.mu.Unlock()
	var parts []string
	for _, p := range slices.Sorted(maps.Keys(in.byPath)) {
		parts = append(parts, fmt.Sprintf("%q %d", p, in.byPath[p]))
	}
	return strings.Join(parts, ", ")
}

// errStopping is the cause of the handlers' contexts once the grace period
// is over.
var errStopping = errors.New("connleak is stopping")

// stopping reports whether the grace period is over and r is being cut.
func (s *Server) stopping() bool { return context.Cause(s.base) == errStopping }

// writeStopping answers a request cut after the grace period.
func writeStopping(w http.ResponseWriter) {
	writeError(w, http.StatusServiceUnavailable, "connleak is stopping: this request was still running after the %v grace period", ShutdownTimeout)
}

// shutdown stops hs: it waits up to ShutdownTimeout for requests in flight,
// then cuts what is left and logs what it cut. It returns an error only
// when hs itself failed to stop.
func (s *Server) shutdown(hs *http.Server, log *slog.Logger) error {
	defer s.clientConns.release()
	ctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	err := hs.Shutdown(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		return err
	}

	requests, paths := s.inflight.total(), s.inflight.describe()
	conns := s.serverConns.stats().Open
	s.cut(errStopping)      // handlers waiting on their request's context answer 503
	s.clientConns.release() // calls to server 1 end, so /forward answers too
	// A handler that returned has not always flushed its reply: wait until
	// no connection is active either, within cutTimeout.
	poll.Until(cutTimeout, func() error {
		return poll.True(s.inflight.total() == 0 && s.serverConns.stats().Active == 0, "the cut requests to answer")
	})
	err = hs.Close() // and any connection left
	log.Warn("connleak stopped after the grace period: cut what was left",
		"grace", ShutdownTimeout,
		"requests", requests,
		"paths", paths,
		"connections", conns)
	return err
}
