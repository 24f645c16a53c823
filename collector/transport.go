package collector

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync"
)

// Transport instruments t, a pool the service owns, and returns the
// RoundTripper to give its clients in t's place: every Collector then
// counts t's open connections by host and state (idle in the pool, or
// active: carrying a call whose response body is not yet read to its end
// or closed), as OpenTelemetry's http.client.open_connections does,
// HTTP/1 and HTTP/2 alike. A connection t closes (IdleConnTimeout, the
// server's close, CloseIdleConnections, an error) counts no more.
//
// Call it once per Transport, before its first request: it sets t's
// DialContext to one that counts what t's own dials (a Dial, or the zero
// net.Dialer) return; a second call counts nothing twice. The host is the
// one dialled: a proxy's, where t goes through one. Connections that t's
// DialTLSContext (or DialTLS) makes are not counted: t needs them as its
// *tls.Conn, which a count cannot wrap. A connection is counted from its
// dial, idle until a call takes it. A Transport that would have tried
// HTTP/2 on its own (none of Protocols, TLSNextProto, TLSClientConfig nor
// a dial set) still does: a dial of its own would turn that off, so
// ForceAttemptHTTP2 is set on it.
func Transport(t *http.Transport) http.RoundTripper {
	//lint:ignore SA1019 a Transport may still set DialTLS: it is one of what turns HTTP/2 off
	if t.Protocols == nil && t.TLSNextProto == nil && t.TLSClientConfig == nil && t.Dial == nil && t.DialContext == nil && t.DialTLS == nil && t.DialTLSContext == nil {
		t.ForceAttemptHTTP2 = true
	}
	dial := t.DialContext
	//lint:ignore SA1019 a Transport may still set Dial: it is what t dials with
	if d := t.Dial; dial == nil && d != nil {
		dial = func(_ context.Context, network, addr string) (net.Conn, error) { return d(network, addr) }
	}
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		if _, ok := c.(*conn); ok { // counted by an earlier call's dial
			return c, nil
		}
		return newConn(c, addr), nil
	}
	return &transport{t}
}

// transport is an instrumented Transport: each call notes the connection it
// takes, until its response body is done.
type transport struct{ t *http.Transport }

func (rt *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	c := &call{}
	c.trace.GotConn = c.gotConn
	resp, err := rt.t.RoundTrip(req.WithContext(httptrace.WithClientTrace(req.Context(), &c.trace)))
	// A reply with no body is done with its connection: HTTP/1 gives it
	// http.NoBody, HTTP/2 a body of its own with a ContentLength of 0.
	if err != nil || resp.Body == nil || resp.Body == http.NoBody || resp.ContentLength == 0 || req.Method == http.MethodHead {
		c.done()
		return resp, err
	}
	c.body = resp.Body
	if _, ok := resp.Body.(io.Writer); ok { // a protocol switch's connection (101), which the caller writes to
		resp.Body = writableCall{c}
	} else {
		resp.Body = c
	}
	return resp, nil
}

// CloseIdleConnections closes the pool's idle connections, as
// http.Client.CloseIdleConnections asks.
func (rt *transport) CloseIdleConnections() { rt.t.CloseIdleConnections() }

// A call is one request on an instrumented Transport, and its response
// body, which it hands on: the connection it took is active until the body
// is read to its end or closed.
type call struct {
	trace httptrace.ClientTrace
	body  io.ReadCloser
	mu    sync.Mutex
	c     *conn // the connection taken, until done
}

// gotConn counts the connection the call took. net/http takes another for
// a call it tries again (a kept-alive connection the server had closed):
// the call gives the first back.
func (c *call) gotConn(info httptrace.GotConnInfo) {
	tc := counted(info.Conn)
	c.mu.Lock()
	old := c.c
	c.c = tc
	c.mu.Unlock()
	if old == tc {
		return
	}
	if old != nil {
		old.give()
	}
	if tc != nil {
		tc.take()
	}
}

// done gives back the connection the call took, once.
func (c *call) done() {
	c.mu.Lock()
	tc := c.c
	c.c = nil
	c.mu.Unlock()
	if tc != nil {
		tc.give()
	}
}

func (c *call) Read(p []byte) (int, error) {
	n, err := c.body.Read(p)
	if err != nil {
		c.done()
	}
	return n, err
}

func (c *call) Close() error {
	c.done()
	return c.body.Close()
}

// writableCall is a call whose body the caller also writes to, and
// half-closes where the body can (httputil.ReverseProxy does, for a
// protocol switch).
type writableCall struct{ *call }

func (w writableCall) Write(p []byte) (int, error) { return w.body.(io.Writer).Write(p) }

func (w writableCall) CloseWrite() error {
	if cw, ok := w.body.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return http.ErrNotSupported
}

// counted is the counted connection under a connection net/http hands a
// trace: itself, or the one a TLS connection runs on.
func counted(c net.Conn) *conn {
	for c != nil {
		switch v := c.(type) {
		case *conn:
			return v
		case interface{ NetConn() net.Conn }:
			c = v.NetConn()
		default:
			return nil
		}
	}
	return nil
}
