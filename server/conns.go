package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
)

// serverConns counts the connections this instance accepts, from
// http.Server.ConnState.
type serverConns struct {
	mu       sync.Mutex // guards the fields below
	state    map[net.Conn]http.ConnState
	accepted int64
	closed   int64
}

func newServerConns() *serverConns {
	return &serverConns{state: make(map[net.Conn]http.ConnState)}
}

// track is an http.Server.ConnState hook.
func (sc *serverConns) track(c net.Conn, s http.ConnState) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	switch s {
	case http.StateNew:
		sc.accepted++
		sc.state[c] = s
	case http.StateActive, http.StateIdle:
		sc.state[c] = s
	case http.StateClosed, http.StateHijacked:
		sc.closed++
		delete(sc.state, c)
	}
}

// ServerStats is the "server" object of /stats: the connections this
// instance accepted.
type ServerStats struct {
	Open     int   `json:"open"`     // accepted and not closed yet
	Active   int   `json:"active"`   // reading or answering a request
	Idle     int   `json:"idle"`     // kept alive between requests
	Accepted int64 `json:"accepted"` // since start, the one asking included
	Closed   int64 `json:"closed"`   // since start
}

func (sc *serverConns) stats() ServerStats {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	st := ServerStats{Open: len(sc.state), Accepted: sc.accepted, Closed: sc.closed}
	for _, s := range sc.state {
		switch s {
		case http.StateActive:
			st.Active++
		case http.StateIdle:
			st.Idle++
		}
	}
	return st
}

// clientConns accounts for the connections /forward's transports open to
// server 1, and enforces the leak budget: at most maxHeld open at once.
type clientConns struct {
	maxHeld int
	opened  atomic.Int64 // calls that got a new connection (httptrace)
	reused  atomic.Int64 // calls that got a pooled connection (httptrace)
	// inFlight counts the calls under way: from the request sent until the
	// reply, and its body where /forward reads it, came back.
	inFlight atomic.Int64
	// By protocol: calls that got a new connection, and a pooled one.
	opened1, reused1, opened2, reused2 atomic.Int64

	mu      sync.Mutex                    // guards open, dialing, calls and cancelCalls
	open    map[*heldConn]*http.Transport // every open connection, and the transport it belongs to
	dialing int                           // dials under way, counted against maxHeld
	// calls is the context of every call /forward makes until the next
	// release, which cancels it: the only way to end a call whose body was
	// left open, since its readLoop waits for the body, not the connection.
	calls       context.Context
	cancelCalls context.CancelCauseFunc
}

func newClientConns(maxHeld int) *clientConns {
	cc := &clientConns{maxHeld: maxHeld, open: make(map[*heldConn]*http.Transport)}
	cc.calls, cc.cancelCalls = context.WithCancelCause(context.Background())
	return cc
}

// callContext is the context for a call /forward makes.
func (cc *clientConns) callContext() context.Context {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return cc.calls
}

// errReset is the cause of the calls release ends.
var errReset = errors.New("connleak: calls to server 1 ended by a reset")

// errBudgetSpent is what a dial returns once maxHeld connections are open.
var errBudgetSpent = errors.New("leak budget spent")

type dialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// instrument makes t count its connections and refuse new ones past the
// budget. The dialing itself is t's own (the zero net.Dialer where t has
// none), so the connections behave as they would without connleak.
func (cc *clientConns) instrument(t *http.Transport) {
	dial := dialFunc(t.DialContext)
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		cc.mu.Lock()
		if len(cc.open)+cc.dialing >= cc.maxHeld {
			cc.mu.Unlock()
			return nil, errBudgetSpent
		}
		cc.dialing++
		cc.mu.Unlock()

		c, err := dial(ctx, network, addr)

		cc.mu.Lock()
		defer cc.mu.Unlock()
		cc.dialing--
		if err != nil {
			return nil, err
		}
		hc := &heldConn{Conn: c, owner: cc}
		cc.open[hc] = t
		return hc, nil
	}
}

// count counts a call that got a connection speaking proto, new or
// reused.
func (cc *clientConns) count(proto string, reused bool) {
	switch {
	case reused:
		cc.reused.Add(1)
	default:
		cc.opened.Add(1)
	}
	switch {
	case proto == "HTTP/2.0" && reused:
		cc.reused2.Add(1)
	case proto == "HTTP/2.0":
		cc.opened2.Add(1)
	case reused:
		cc.reused1.Add(1)
	default:
		cc.opened1.Add(1)
	}
}

// held is how many connections /forward's transports hold open.
func (cc *clientConns) held() int {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return len(cc.open)
}

// release closes the idle connections of every transport that holds one,
// cancels every call still under way (a body left open will never be read),
// then closes every connection still open. It returns how many connections
// were open before.
func (cc *clientConns) release() int {
	cc.mu.Lock()
	cc.cancelCalls(errReset)
	cc.calls, cc.cancelCalls = context.WithCancelCause(context.Background())
	n := len(cc.open)
	transports := make(map[*http.Transport]bool)
	for _, t := range cc.open {
		transports[t] = true
	}
	cc.mu.Unlock()

	for t := range transports {
		t.CloseIdleConnections()
	}

	cc.mu.Lock()
	rest := make([]*heldConn, 0, len(cc.open))
	for c := range cc.open {
		rest = append(rest, c)
	}
	cc.mu.Unlock()
	for _, c := range rest {
		c.Close()
	}
	return n
}

// ClientStats is the "client" object of /stats: the connections /forward
// made to server 1.
type ClientStats struct {
	Opened int64 `json:"opened"` // calls that dialled a new connection
	Reused int64 `json:"reused"` // calls that reused a pooled one
	Held   int   `json:"held"`   // connections open now
	// InFlight is the calls to server 1 under way now: each holds a
	// /forward handler and its connection's goroutines until server 1
	// answers, the call's timeout fires, or FORWARD_CALL_CEILING does.
	InFlight int64 `json:"inFlight"`
	// HTTP1 and HTTP2 are Opened and Reused by the protocol of the call.
	HTTP1 ProtoStats `json:"http1"`
	HTTP2 ProtoStats `json:"http2"`
}

// ProtoStats counts the calls of one protocol.
type ProtoStats struct {
	Opened int64 `json:"opened"`
	Reused int64 `json:"reused"`
}

func (cc *clientConns) stats() ClientStats {
	return ClientStats{Opened: cc.opened.Load(), Reused: cc.reused.Load(), Held: cc.held(), InFlight: cc.inFlight.Load(),
		HTTP1: ProtoStats{cc.opened1.Load(), cc.reused1.Load()}, HTTP2: ProtoStats{cc.opened2.Load(), cc.reused2.Load()}}
}

func (cc *clientConns) budgetError() error {
	return fmt.Errorf("leak budget spent: /forward already holds %d connections to server 1 (FORWARD_MAX_HELD=%d); POST /reset releases them", cc.held(), cc.maxHeld)
}

// heldConn is a connection to server 1 that leaves the account when closed.
type heldConn struct {
	net.Conn
	owner *clientConns
	once  sync.Once
}

func (c *heldConn) Close() error {
	c.once.Do(func() {
		c.owner.mu.Lock()
		delete(c.owner.open, c)
		c.owner.mu.Unlock()
	})
	return c.Conn.Close()
}
