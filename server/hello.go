package server

import (
	"io"
	"net/http"
	"runtime"
	"strings"
	"time"
)

// helloReply is /hello's answer, in the Resty demo's shape and key order.
type helloReply struct {
	Msg        string `json:"msg"`
	GoRoutines int    `json:"goRoutines"`
	Pad        string `json:"pad,omitempty"` // bodySize=N: N bytes, to make the body that large
}

// hello answers GET and POST /hello with a greeting and this process's
// goroutine count. connClose=true (or CONNECTION_CLOSE) adds
// "Connection: close", which makes both sides close the connection after the
// reply; delay=D waits D first, or until the caller gives up; bodySize=N
// pads the reply with N bytes.
func (s *Server) hello(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r, http.MethodGet, http.MethodPost) {
		return
	}
	o, err := parseQuery(r.URL.RawQuery, Options{}, helloParams)
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	// Read the request body to its end (Resty POSTs an empty chunked one):
	// only then does net/http watch the connection, and cancel r.Context()
	// when the caller hangs up during a delay.
	if _, err := io.Copy(io.Discard, io.LimitReader(r.Body, MaxBody)); err != nil {
		writeError(w, http.StatusBadRequest, "cannot read the request body: %v", err)
		return
	}
	if o.Stall {
		// Never answer: wait until the caller gives up, or a stop cuts it.
		<-r.Context().Done()
		if s.stopping() {
			writeStopping(w)
		}
		return
	}
	if o.Delay > 0 {
		t := time.NewTimer(o.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			if s.stopping() {
				writeStopping(w)
			}
			return // else the caller hung up; nobody reads a reply
		}
	}
	if s.cfg.ConnectionClose || o.ConnClose {
		w.Header().Set("Connection", "close")
	}
	writeJSON(w, http.StatusOK, helloReply{Msg: "Hello World", GoRoutines: runtime.NumGoroutine(), Pad: strings.Repeat("x", o.BodySize)})
}
