package server

import (
	"net/http"
	"runtime"
	"time"

	"github.com/connleak/connleak/internal/poll"
)

// resetReply is /reset's answer.
type resetReply struct {
	GoRoutinesBefore  int `json:"goRoutinesBefore"`
	GoRoutinesAfter   int `json:"goRoutinesAfter"`
	ConnectionsClosed int `json:"connectionsClosed"`
}

// resetSettle bounds how long /reset waits for the goroutines of the closed
// connections to end before it counts again.
const resetSettle = 2 * time.Second

// reset answers POST /reset: it closes every connection /forward's
// transports hold (idle ones through CloseIdleConnections, then the rest),
// which releases the leak budget; server 1 sees the closes and lets its
// conn.serve goroutines go too.
func (s *Server) reset(w http.ResponseWriter, r *http.Request) {
	if !allowNoQuery(w, r, http.MethodPost) {
		return
	}
	before := runtime.NumGoroutine()
	closed := s.clientConns.release()
	// Each closed connection ends a readLoop and a writeLoop, soon but not
	// at once: wait for them, within resetSettle.
	want := before - 2*closed
	poll.Until(resetSettle, func() error {
		return poll.True(runtime.NumGoroutine() <= want, "the closed connections' goroutines to end")
	}) // else count what is left
	writeJSON(w, http.StatusOK, resetReply{GoRoutinesBefore: before, GoRoutinesAfter: runtime.NumGoroutine(), ConnectionsClosed: closed})
}
