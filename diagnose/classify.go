package diagnose

import (
	"time"

	"github.com/connleak/connleak/dump"
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
	Handshaking    int `json:"handshaking"`    // of the dials, those in their TLS handshake
	IdleHTTP2      int `json:"idleHttp2"`      // of the idle connections, the HTTP/2 ones
}

// Server counts the HTTP connections of the dump's servers.
type Server struct {
	HTTP1  int `json:"http1"`  // HTTP/1 connections: one conn.serve each
	HTTP2  int `json:"http2"`  // HTTP/2 connections: one serve loop each
	Idle   int `json:"idle"`   // connections waiting for a request: kept-alive ones between requests, and AwaitingRequest
	Active int `json:"active"` // connections reading a request or running a handler
	// AwaitingRequest counts the idle connections that wait for a request
	// line: new ones that sent nothing yet (or have not finished their TLS
	// handshake), and, before Go 1.20, kept-alive ones between requests.
	AwaitingRequest int `json:"awaitingRequest"`
	IdleHTTP2       int `json:"idleHttp2"` // of the idle connections, the HTTP/2 ones
}

// kind is what one goroutine is, for an HTTP connection; markers.go says
// what marks each.
type kind int

const (
	other          kind = iota
	readLoopIdle        // an HTTP/1 client readLoop waiting on the network
	readLoopBody        // an HTTP/1 client readLoop waiting for its body to be read or closed
	writeLoop           // an HTTP/1 client writeLoop
	h2ClientConn        // an HTTP/2 client connection's readLoop
	roundTrip           // a call waiting for its response, HTTP/1
	h2RoundTrip         // a call waiting for its response, HTTP/2
	dialing             // a connection being dialled
	handshake           // the TLS handshake of a connection being dialled
	getConn             // a call waiting for a connection, dialled or queued
	serverIdle          // an HTTP/1 server connection between requests
	serverAwaiting      // an HTTP/1 server connection waiting for a request line
	serverActive        // an HTTP/1 server connection reading a request or running a handler
	h2ServerConn        // an HTTP/2 server connection
	h2Handler           // an HTTP/2 server handler running
)

// classify says what g is for a connection (the goroutines a connection
// runs, or one dialling it) and for a call (waiting for a response, or for
// a connection). One goroutine can be both: a server's handler making a call.
func classify(g *dump.Goroutine) (conn, call kind) {
	return kindOf(g, connMarkers), kindOf(g, callMarkers)
}

// tally is what a pass over the dump counted, kind by kind, with the
// longest wait and the call sites of each kind.
type tally struct {
	count  map[kind]int
	oldest map[kind]time.Duration
	sites  map[kind]map[Site]int
	total  int
	recent recent
}

// recent are the stacks classified last, with their kinds. Most goroutines
// of a dump have the stack of one a little before them, and dump.Read
// hands out one string for each function name, so a stack is compared
// with another in about as many steps as it has frames, where classifying
// it compares every frame with a marker's every name.
type recent struct {
	stacks [8]classified
	next   int // the one to replace next
}

// classified is the functions of a stack, and its kinds: classify reads
// nothing else of a goroutine.
type classified struct {
	funcs      []string // nil for none yet, or none kept
	conn, call kind
}

// classify is classify(g), from a stack met recently with the same
// functions if there is one.
func (r *recent) classify(g *dump.Goroutine) (conn, call kind) {
	for _, c := range r.stacks {
		if c.funcs != nil && sameFuncs(c.funcs, g.Frames) {
			return c.conn, c.call
		}
	}
	conn, call = classify(g)
	c := &r.stacks[r.next]
	c.funcs = c.funcs[:0] // its array kept, to be written over
	for _, f := range g.Frames {
		c.funcs = append(c.funcs, f.Func)
	}
	c.conn, c.call = conn, call
	r.next = (r.next + 1) % len(r.stacks)
	return conn, call
}

// sameFuncs reports whether frames are calls of funcs, in order.
func sameFuncs(funcs []string, frames []dump.Frame) bool {
	if len(funcs) != len(frames) {
		return false
	}
	for i := len(funcs) - 1; i >= 0; i-- { // the outermost first, where stacks differ soonest
		if funcs[i] != frames[i].Func {
			return false
		}
	}
	return true
}

func newTally() *tally {
	return &tally{count: map[kind]int{}, oldest: map[kind]time.Duration{}, sites: map[kind]map[Site]int{}}
}

// add counts g, and where it was made if sites, with the binary b if not
// nil.
func (t *tally) add(g *dump.Goroutine, sites bool, b *Binary) {
	// dump.Read refuses counts and waits past its bounds; a caller that
	// makes its own goroutines gets them held within the same bounds, so
	// no sum can overflow.
	n := min(max(g.Count, 0), dump.MaxGoroutines)
	wait := min(max(g.Wait, 0), dump.MaxWait)
	t.total += n
	conn, call := t.recent.classify(g)
	if conn == other && call == other {
		return
	}
	var s Site
	sited := false
	if sites {
		s, sited = site(g, b)
	}
	for _, k := range []kind{conn, call} {
		if k == other {
			continue
		}
		t.count[k] += n
		t.oldest[k] = max(t.oldest[k], wait)
		if sited {
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
	cl.Handshaking = min(c[handshake], c[dialing])
	cl.WaitingForConn = max(0, c[getConn]-c[dialing])
	// A readLoop waiting on the network is idle unless a call waits for
	// its response; an HTTP/2 connection is idle with no call on it.
	cl.IdleHTTP2 = max(0, c[h2ClientConn]-c[h2RoundTrip])
	cl.Idle = max(0, c[readLoopIdle]-c[roundTrip]) + cl.IdleHTTP2
	if c[readLoopIdle]+c[readLoopBody] == 0 {
		// A dump that shows only writeLoops (goleak, or an excerpt): each is
		// a connection; nothing says what its readLoop waits on.
		cl.Idle += max(0, c[writeLoop]-c[roundTrip])
	}

	var sv Server
	sv.HTTP1 = c[serverIdle] + c[serverAwaiting] + c[serverActive]
	sv.AwaitingRequest = c[serverAwaiting]
	sv.HTTP2 = c[h2ServerConn]
	sv.Active = c[serverActive] + min(c[h2Handler], c[h2ServerConn])
	sv.IdleHTTP2 = max(0, c[h2ServerConn]-c[h2Handler])
	sv.Idle = c[serverIdle] + c[serverAwaiting] + sv.IdleHTTP2
	return cl, sv
}
