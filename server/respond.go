package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strings"
)

// errorReply is the body of every error: what went wrong and the goroutine
// count of this process.
type errorReply struct {
	Error      string `json:"error"`
	GoRoutines int    `json:"goRoutines"`
}

// writeJSON writes v as the whole reply, with no trailing newline, so a curl
// loop prints one reply per line exactly as the Resty demo's walkthrough shows.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil { // our replies are plain structs; this would be a bug
		status = http.StatusInternalServerError
		b = []byte(`{"error":"cannot encode the reply"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b) // an error means the client went away: nothing to do
}

func writeError(w http.ResponseWriter, status int, format string, args ...any) {
	writeJSON(w, status, errorReply{Error: fmt.Sprintf(format, args...), GoRoutines: runtime.NumGoroutine()})
}

// allow answers 405 unless r uses one of methods.
func allow(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	if slices.Contains(methods, r.Method) {
		return true
	}
	list := strings.Join(methods, ", ")
	w.Header().Set("Allow", list)
	writeError(w, http.StatusMethodNotAllowed, "method %s is not allowed on %s: use %s", r.Method, r.URL.Path, list)
	return false
}

// allowNoQuery is allow for an endpoint that takes no parameters: a query
// is a 400.
func allowNoQuery(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	if !allow(w, r, methods...) {
		return false
	}
	if _, err := parseQuery(r.URL.RawQuery, Options{}, nil); err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return false
	}
	return true
}

func notFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusNotFound, "no endpoint %s: use /, /hello, /forward, /stats, /live, /reset, /metrics or /debug/pprof/", r.URL.Path)
}
