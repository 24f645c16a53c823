package server

import (
	"net/http"
	"net/http/pprof"
	"net/url"
	rpprof "runtime/pprof"
	"slices"
	"strconv"
	"strings"
)

// Limits of /debug/pprof/.
const (
	// MaxProfileSeconds bounds the seconds parameter of /debug/pprof/:
	// how long a CPU profile or trace runs, or the window of a delta profile.
	MaxProfileSeconds = 60
	// MaxFullDumps is how many full goroutine dumps (debug=2) are written
	// at once. Each formats every goroutine's stack in memory, about 13 MB
	// at 18,000 goroutines, and more while its buffer grows; past the
	// bound, 429.
	MaxFullDumps = 2
)

// debugParams are the query parameters /debug/pprof/ accepts, and what
// each accepts.
var debugParams = map[string]struct {
	min, max int
	accepts  string
}{
	"debug":   {0, 2, "0 (binary), 1 (text, grouped) or 2 (text, every goroutine's stack)"},
	"gc":      {0, 1, "0 or 1"},
	"seconds": {1, MaxProfileSeconds, "a whole number of seconds from 1 to " + strconv.Itoa(MaxProfileSeconds)},
}

// debug answers /debug/pprof/ and below: net/http/pprof, for GET and HEAD
// only, with its parameters checked and full goroutine dumps bounded. Every
// refusal is JSON.
func (s *Server) debug(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r, http.MethodGet, http.MethodHead) {
		return
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		writeError(w, http.StatusBadRequest, "malformed query string: %v", err)
		return
	}
	for name, values := range q {
		p, ok := debugParams[name]
		if !ok {
			writeError(w, http.StatusBadRequest, "unknown parameter %q: accepted are debug, gc and seconds", name)
			return
		}
		n, err := strconv.Atoi(values[0])
		if len(values) > 1 || err != nil || n < p.min || n > p.max {
			writeError(w, http.StatusBadRequest, "bad value %q for parameter %s: it accepts %s, once", strings.Join(values, ","), name, p.accepts)
			return
		}
	}

	name := strings.TrimPrefix(r.URL.Path, "/debug/pprof/")
	switch name {
	case "":
		pprof.Index(w, r)
	case "cmdline":
		pprof.Cmdline(w, r)
	case "profile":
		pprof.Profile(w, r)
	case "symbol":
		pprof.Symbol(w, r)
	case "trace":
		pprof.Trace(w, r)
	default:
		if rpprof.Lookup(name) == nil {
			writeError(w, http.StatusNotFound, "no profile %q: use one of %s, cmdline, profile, symbol or trace", name, profileNames())
			return
		}
		if name == "goroutine" && q.Get("debug") == "2" {
			select {
			case s.fullDumps <- struct{}{}:
				defer func() { <-s.fullDumps }()
			default:
				writeError(w, http.StatusTooManyRequests, "%d full goroutine dumps (debug=2) are being written already, the most at once: try again, or ask for debug=1", MaxFullDumps)
				return
			}
		}
		pprof.Handler(name).ServeHTTP(w, r)
	}
}

// profileNames lists the runtime's profiles.
func profileNames() string {
	var names []string
	for _, p := range rpprof.Profiles() {
		names = append(names, p.Name())
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}
