package server

import (
	"fmt"
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
// only, with its parameters checked and rewritten in their canonical form,
// and full goroutine dumps, CPU profiles and traces bounded. Every refusal
// is JSON.
func (s *Server) debug(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r, http.MethodGet, http.MethodHead) {
		return
	}
	name := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/debug/pprof"), "/")
	if name == "symbol" { // its query is addresses to look up: pprof reads them itself
		pprof.Symbol(w, r)
		return
	}
	canonical, err := debugQuery(r.URL.RawQuery, name)
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	// pprof reads the query again: what it reads is what was checked.
	r.URL.RawQuery = canonical.Encode()

	switch name {
	case "":
		pprof.Index(w, r)
	case "cmdline":
		pprof.Cmdline(w, r)
	case "profile":
		if release, ok := s.acquire(w, s.cpuProfiles, "a CPU profile is being taken already, and the runtime takes one at a time: try again when it is done"); ok {
			defer release()
			pprof.Profile(w, r)
		}
	case "trace":
		if release, ok := s.acquire(w, s.traces, "a trace is being taken already: try again when it is done"); ok {
			defer release()
			pprof.Trace(w, r)
		}
	default:
		if rpprof.Lookup(name) == nil {
			writeError(w, http.StatusNotFound, "no profile %q: use one of %s, cmdline, profile, symbol or trace", name, profileNames())
			return
		}
		if name == "goroutine" && canonical.Get("debug") == "2" {
			release, ok := s.acquire(w, s.fullDumps, fmt.Sprintf("%d full goroutine dumps (debug=2) are being written already, the most at once: try again, or ask for debug=1", MaxFullDumps))
			if !ok {
				return
			}
			defer release()
		}
		pprof.Handler(name).ServeHTTP(w, r)
	}
}

// debugQuery is the query of the profile name, checked and written again
// as pprof will read it, or what is wrong with it.
func debugQuery(rawQuery, name string) (url.Values, error) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, fmt.Errorf("malformed query string: %v", err)
	}
	canonical := url.Values{}
	for param, values := range q {
		p, ok := debugParams[param]
		if !ok {
			return nil, fmt.Errorf("unknown parameter %q: accepted are debug, gc and seconds", param)
		}
		n, err := strconv.Atoi(values[0])
		if len(values) > 1 || err != nil || n < p.min || n > p.max {
			return nil, fmt.Errorf("bad value %q for parameter %s: it accepts %s, once", strings.Join(values, ","), param, p.accepts)
		}
		canonical.Set(param, strconv.Itoa(n))
	}
	if canonical.Has("seconds") && canonical.Get("debug") != "" && canonical.Get("debug") != "0" && name != "profile" && name != "trace" {
		return nil, fmt.Errorf("seconds (a delta profile) and debug=%s (text) go not together: pprof writes a delta profile in binary only", canonical.Get("debug"))
	}
	return canonical, nil
}

// acquire takes a place in the semaphore sem, or answers 429 saying busy.
func (s *Server) acquire(w http.ResponseWriter, sem chan struct{}, busy string) (release func(), ok bool) {
	select {
	case sem <- struct{}{}:
		return func() { <-sem }, true
	default:
		writeError(w, http.StatusTooManyRequests, "%s", busy)
		return nil, false
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
