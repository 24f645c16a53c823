package diagnose

import (
	"strings"
	"time"

	"connleak/dump"
)

// Client counts the HTTP connections and calls of the dump's clients.
type Client struct {
	HTTP1          int `json:"http1"`          // HTTP/1 connections: readLoop and writeLoop pairs
	HTTP2          int `json:"http2"`          // HTTP/2 connections
	Idle           int `json:"idle"`           // connections waiting in a pool for a next call
	BodyUnread     int `json:"bodyUnread"`     // connections held by a response body not read to the end nor closed
	InFlight       int `json:"inFlight"`       // calls waiting for their response
	Dialing        int `json:"dialing"`        // connections being dialled
	WaitingForConn int `json:"waitingForConn"` // calls queued for a connection (MaxConnsPerHost)
}

// Server counts the HTTP connections of the dump's servers.
type Server struct {
	HTTP1  int `json:"http1"`  // HTTP/1 connections: one conn.serve each
	HTTP2  int `json:"http2"`  // HTTP/2 connections: one serve loop each
	Idle   int `json:"idle"`   // kept-alive connections waiting for a next request
	Active int `json:"active"` // connections reading a request or running a handler
}

// kind is what one goroutine is, for an HTTP connection.
type kind int

const (
	other        kind = iota
	readLoopIdle      // an HTTP/1 client readLoop waiting on the network
	readLoopBody      // an HTTP/1 client readLoop waiting for its body to be read or closed
	writeLoop         // an HTTP/1 client writeLoop
	h2ClientConn      // an HTTP/2 client connection's readLoop
	roundTrip         // a call waiting for its response, HTTP/1
	h2RoundTrip       // a call waiting for its response, HTTP/2
	dialing           // a connection being dialled
	getConn           // a call waiting for a connection, dialled or queued
	serverIdle        // an HTTP/1 server connection between requests
	serverActive      // an HTTP/1 server connection reading a request or running a handler
	h2ServerConn      // an HTTP/2 server connection
	h2Handler         // an HTTP/2 server handler running
)

// classify says what g is for a connection (the goroutines a connection
// runs, or one dialling it) and for a call (waiting for a response, or for
// a connection). One goroutine can be both: a server's handler making a call.
func classify(g *dump.Goroutine) (conn, call kind) {
	return connKind(g), callKind(g)
}

// connKind is what g is for a connection, or other.
func connKind(g *dump.Goroutine) kind {
	if hasFunc(g, func(f string) bool { return isH2(f, "serverConn).serve") }) {
		// Over TLS, net/http's conn.serve hands the connection to the
		// HTTP/2 server on its own goroutine.
		return h2ServerConn
	}
	switch entry := g.Entry(); {
	case entry == "net/http.(*persistConn).readLoop":
		// Waiting on the network, the innermost frames are bufio, net and
		// internal/poll; waiting for its body, readLoop itself (in a select).
		if innermost(g) == entry {
			return readLoopBody
		}
		return readLoopIdle
	case entry == "net/http.(*persistConn).writeLoop":
		return writeLoop
	case isH2(entry, "ClientConn).readLoop"):
		return h2ClientConn
	case entry == "net/http.(*conn).serve":
		if has(g, "net/http.serverHandler.ServeHTTP") || has(g, "net/http.(*conn).readRequest") {
			return serverActive
		}
		return serverIdle
	case isH2(entry, "serverConn).runHandler"):
		return h2Handler
	case has(g, "net/http.(*Transport).dialConnFor"):
		return dialing
	}
	return other
}

// callKind is what g is for a call, on the goroutine of whoever made it:
// waiting for its response, or for a connection; else other.
func callKind(g *dump.Goroutine) kind {
	for _, f := range g.Frames {
		switch {
		case f.Func == "net/http.(*persistConn).roundTrip":
			return roundTrip
		case isH2(f.Func, "ClientConn).RoundTrip") || isH2(f.Func, "ClientConn).roundTrip") || isH2(f.Func, "clientStream).waitOnHeaders"):
			return h2RoundTrip
		case f.Func == "net/http.(*Transport).getConn":
			return getConn
		}
	}
	return other
}

// isH2 reports whether f is the function named by suffix in net/http's
// bundled HTTP/2 (net/http.(*http2ClientConn).readLoop) or in
// golang.org/x/net/http2 (golang.org/x/net/http2.(*ClientConn).readLoop).
func isH2(f, suffix string) bool {
	return f == "net/http.(*http2"+suffix || f == "golang.org/x/net/http2.(*"+suffix || f == "net/http/internal/http2.(*"+suffix ||
		strings.HasSuffix(f, "/golang.org/x/net/http2.(*"+suffix) // vendored
}

// innermost is the innermost frame outside the runtime.
func innermost(g *dump.Goroutine) string {
	for _, f := range g.Frames {
		if !strings.HasPrefix(f.Func, "runtime.") {
			return f.Func
		}
	}
	return ""
}

func has(g *dump.Goroutine, fn string) bool {
	return hasFunc(g, func(f string) bool { return f == fn })
}

func hasFunc(g *dump.Goroutine, match func(string) bool) bool {
	for _, f := range g.Frames {
		if match(f.Func) {
			return true
		}
	}
	return false
}

// tally is what a pass over the dump counted, kind by kind, with the
// longest wait and the call sites of each kind.
type tally struct {
	count  map[kind]int
	oldest map[kind]time.Duration
	sites  map[kind]map[Site]int
	total  int
}

func newTally() *tally {
	return &tally{count: map[kind]int{}, oldest: map[kind]time.Duration{}, sites: map[kind]map[Site]int{}}
}

func (t *tally) add(g *dump.Goroutine) {
	// dump.Read refuses counts and waits past its bounds; a caller that
	// makes its own goroutines gets them held within the same bounds, so
	// no sum can overflow.
	n := min(max(g.Count, 0), dump.MaxGoroutines)
	wait := min(max(g.Wait, 0), dump.MaxWait)
	t.total += n
	conn, call := classify(g)
	for _, k := range []kind{conn, call} {
		if k == other {
			continue
		}
		t.count[k] += n
		t.oldest[k] = max(t.oldest[k], wait)
		if s, ok := site(g); ok {
			if t.sites[k] == nil {
				t.sites[k] = map[Site]int{}
			}
			t.sites[k][s] += n
		}
	}
}

// counts turns the tally into the report's counts.
func (t *tally) counts() (Client, Server) {
	c := t.count
	var cl Client
	cl.HTTP1 = max(c[readLoopIdle]+c[readLoopBody], c[writeLoop])
	cl.HTTP2 = c[h2ClientConn]
	cl.BodyUnread = c[readLoopBody]
	cl.InFlight = c[roundTrip] + c[h2RoundTrip]
	cl.Dialing = c[dialing]
	cl.WaitingForConn = max(0, c[getConn]-c[dialing])
	// A readLoop waiting on the network is idle unless a call waits for
	// its response; an HTTP/2 connection is idle with no call on it.
	cl.Idle = max(0, c[readLoopIdle]-c[roundTrip]) + max(0, c[h2ClientConn]-c[h2RoundTrip])
	if c[readLoopIdle]+c[readLoopBody] == 0 {
		// A dump that shows only writeLoops (goleak, or an excerpt): each is
		// a connection; nothing says what its readLoop waits on.
		cl.Idle += max(0, c[writeLoop]-c[roundTrip])
	}

	var sv Server
	sv.HTTP1 = c[serverIdle] + c[serverActive]
	sv.HTTP2 = c[h2ServerConn]
	sv.Active = c[serverActive] + min(c[h2Handler], c[h2ServerConn])
	sv.Idle = c[serverIdle] + max(0, c[h2ServerConn]-c[h2Handler])
	return cl, sv
}
