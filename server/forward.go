package server

import (
	"cmp"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"
)

// forwardReply is /forward's answer, in the Resty demo's shape and key order.
// Server1Response is null where the body was not read. ConnReused says
// whether the call got a pooled connection (httptrace.GotConnInfo.Reused).
type forwardReply struct {
	GoRoutines      int         `json:"goRoutines"`
	Server1Response *helloReply `json:"Server1Response"`
	ConnReused      bool        `json:"connReused"`
	Proto           string      `json:"proto"` // the protocol of the call: HTTP/1.1 or HTTP/2.0
}

// forward answers GET /forward: it POSTs to server 1's /hello through the
// client the query configures (over the FORWARD_ defaults): Resty, or
// net/http alone for client=nethttp. It answers with this process's goroutine
// count taken after that call returned.
func (s *Server) forward(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r, http.MethodGet) {
		return
	}
	o, err := parseQuery(r.URL.RawQuery, s.cfg.Forward, forwardParams)
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	if err := s.checkUpstream(o); err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	client, err := s.clients.get(o)
	if err != nil {
		writeError(w, http.StatusTooManyRequests, "%v", err)
		return
	}
	var reused bool
	ctx, release := s.callContext(o, &reused)
	leftOpen := false // set where the body is left open, on purpose
	defer func() { release(leftOpen) }()
	raw := o.Body != BodyRead // then the body is ours to read and close
	resp, body, err := s.call(ctx, r, client, o, raw)
	if err != nil {
		s.writeCallError(w, ctx, o, err)
		return
	}
	if resp.StatusCode != http.StatusOK {
		writeStatusError(w, resp, raw)
		return
	}
	hello, leftOpen, err := handleBody(o, resp, body)
	if err != nil {
		var callErr readError
		if errors.As(err, &callErr) {
			s.writeCallError(w, ctx, o, callErr.err)
			return
		}
		writeError(w, http.StatusBadGateway, "%v", err)
		return
	}
	if hello != nil {
		hello.Pad = "" // bodySize's padding is for the connection, not the caller
	}
	writeJSON(w, http.StatusOK, forwardReply{GoRoutines: runtime.NumGoroutine(), Server1Response: hello, ConnReused: reused, Proto: resp.Proto})
}

// checkUpstream says what is wrong where the query's protocol, or a
// stalled handshake, does not fit UPSTREAM_URL's scheme.
func (s *Server) checkUpstream(o Options) error {
	switch scheme := s.cfg.UpstreamURL.Scheme; {
	case o.Proto == ProtoH2 && scheme != "https":
		return fmt.Errorf("proto=h2 is HTTP/2 over TLS, and UPSTREAM_URL is %s: use proto=h2c (HTTP/2 without TLS), h1 or auto", scheme)
	case o.Proto == ProtoH2C && scheme != "http":
		return fmt.Errorf("proto=h2c is HTTP/2 without TLS, and UPSTREAM_URL is %s: use proto=h2 (HTTP/2 over TLS), h1 or auto", scheme)
	case o.StallHandshake && scheme != "https":
		return fmt.Errorf("stallHandshake=true stalls server 1's TLS handshake, and UPSTREAM_URL is %s: it needs an https upstream, a server 1 started with SERVER_PROTO=h1-tls or h2", scheme)
	}
	return nil
}

// callContext is the context of a call to server 1, traced so that reused
// says whether it got a pooled connection, and release, to call with
// whether the body was left open once the handler is done with it.
//
// The call is deliberately not tied to the request's context: cancelling
// it when the handler returns would close a body left open and hide the
// leak of body=leave-open. POST /reset cancels it, and so does a stop. A
// call without a timeout is given one anyway, FORWARD_CALL_CEILING, so
// that a server 1 that accepts and never answers cannot hold it for ever.
func (s *Server) callContext(o Options, reused *bool) (context.Context, func(leftOpen bool)) {
	trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
		*reused = info.Reused
		s.clientConns.count(connProto(info.Conn, o.Proto), info.Reused)
	}}
	ctx := httptrace.WithClientTrace(s.clientConns.callContext(), trace)
	if o.Timeout != 0 {
		return ctx, func(bool) {}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	ceiling := time.AfterFunc(s.cfg.CallCeiling, func() { cancel(errCeiling) })
	return ctx, func(leftOpen bool) {
		// Once the handler is done with the body the ceiling has no more
		// to guard. A body left open stays tied to ctx, which must then
		// live on: the leak shows, and /reset ends it.
		if !ceiling.Stop() || !leftOpen {
			cancel(nil)
		}
	}
}

// call POSTs to server 1's /hello with the query's parameters for it.
// The pprof label marks the goroutines the call starts (its dial, and a
// new connection's readLoop and writeLoop, inherit it), so pprof's debug=1
// and connleak diagnose say which query made each connection.
func (s *Server) call(ctx context.Context, r *http.Request, client caller, o Options, raw bool) (resp *http.Response, body []byte, err error) {
	s.clientConns.inFlight.Add(1)
	defer s.clientConns.inFlight.Add(-1) // a call is in flight until its body is read
	pprof.Do(context.Background(), pprof.Labels("forward", cmp.Or(r.URL.RawQuery, "(defaults)")), func(context.Context) {
		resp, body, err = client.post(ctx, s.helloURL, upstreamQuery(o), raw)
	})
	return resp, body, err
}

// upstreamQuery is the query of the call to server 1's /hello.
func upstreamQuery(o Options) url.Values {
	query := url.Values{}
	if o.ConnClose {
		query.Set("connClose", "true")
	}
	if o.Delay > 0 {
		query.Set("delay", o.Delay.String())
	}
	if o.Stall {
		query.Set("stall", "true")
	}
	if o.BodySize > 0 {
		query.Set("bodySize", strconv.Itoa(o.BodySize))
	}
	return query
}

// writeStatusError answers 502 for a reply of server 1 other than 200,
// whose raw body it closes unread: the connection is not reused.
func writeStatusError(w http.ResponseWriter, resp *http.Response, raw bool) {
	if raw {
		resp.Body.Close()
	}
	if loc := resp.Header.Get("Location"); loc != "" {
		writeError(w, http.StatusBadGateway, "server 1 answered %s with Location %q, want 200 OK: /forward follows no redirect", resp.Status, loc)
		return
	}
	writeError(w, http.StatusBadGateway, "server 1 answered %s, want 200 OK", resp.Status)
}

// A readError is a failure to read the body of server 1's reply, which
// is written as the call's failure is.
type readError struct{ err error }

func (e readError) Error() string { return e.err.Error() }

// handleBody does with server 1's 200 reply what the query's body= says,
// and decodes its hello where it is read; leftOpen is set where the body
// is left open, on purpose.
func handleBody(o Options, resp *http.Response, body []byte) (hello *helloReply, leftOpen bool, err error) {
	switch o.Body {
	case BodyRead: // the client read the body to the end and closed it
		hello, err = decodeHello(body)
	case BodyLeaveOpen:
		// DELIBERATE LEAK (the connection-reuse blog's bug): the body is neither read nor closed, so
		// the connection never goes back to the pool and is never closed; its
		// readLoop and writeLoop wait for ever, and so does server 1's
		// conn.serve. Real code closes every body.
		leftOpen = true
	case BodyClose:
		// Closed before the end: up to Go 1.26 the transport cannot reuse
		// the connection, so it closes it, and every call dials anew. Go
		// 1.27 first drains what is left, up to 256 KiB within 50 ms, and
		// reuses the connection when that reaches the end.
		err = resp.Body.Close()
	case BodyDrainClose:
		// Reading to io.EOF is what hands the connection back to the pool.
		b, readErr := readBody(resp.Body)
		if readErr != nil {
			return nil, false, readError{readErr}
		}
		hello, err = decodeHello(b)
	}
	return hello, leftOpen, err
}

// connProto is the protocol a call's connection speaks: what TLS
// negotiated, or, without TLS, HTTP/2 only where the call asked for h2c.
func connProto(c net.Conn, proto string) string {
	if tc, ok := c.(*tls.Conn); ok {
		if tc.ConnectionState().NegotiatedProtocol == "h2" {
			return "HTTP/2.0"
		}
		return "HTTP/1.1"
	}
	if proto == ProtoH2C {
		return "HTTP/2.0"
	}
	return "HTTP/1.1"
}

// writeCallError answers a call to server 1 that failed, or whose body
// could not be read: the status and message say why.
func (s *Server) writeCallError(w http.ResponseWriter, ctx context.Context, o Options, err error) {
	switch {
	case s.stopping():
		writeStopping(w)
	case context.Cause(ctx) == errReset:
		writeError(w, http.StatusServiceUnavailable, "the call was cut by POST /reset, which ends every call to server 1 under way")
	case errors.Is(err, errBudgetSpent):
		writeError(w, http.StatusTooManyRequests, "%v", s.clientConns.budgetError())
	case context.Cause(ctx) == errCeiling:
		writeError(w, http.StatusGatewayTimeout, "server 1 did not answer within FORWARD_CALL_CEILING=%v, the limit of calls without a timeout: give the call a timeout", s.cfg.CallCeiling)
	case o.TLSHandshakeTimeout > 0 && isHandshakeTimeout(err):
		writeError(w, http.StatusGatewayTimeout, "server 1 did not finish its TLS handshake within tlsHandshakeTimeout=%v: %v", o.TLSHandshakeTimeout, err)
	case isTimeout(err):
		writeError(w, http.StatusGatewayTimeout, "server 1 did not answer within timeout=%v: %v", o.Timeout, err)
	case errors.Is(err, errBodyTooLarge):
		writeError(w, http.StatusBadGateway, "%v", err)
	default:
		writeError(w, http.StatusBadGateway, "server 1 cannot be reached: %v", err)
	}
}

// MaxBody bounds what /forward reads of server 1's reply, on every path.
const MaxBody = 1 << 20

// errBodyTooLarge is the error of a reply larger than MaxBody.
var errBodyTooLarge = fmt.Errorf("server 1's reply is larger than %d bytes (1 MiB), the most /forward reads", MaxBody)

// errCeiling is the cause of a call cut by FORWARD_CALL_CEILING.
var errCeiling = errors.New("FORWARD_CALL_CEILING reached")

// readBody reads body to the end and closes it; past MaxBody it stops,
// closes it and returns errBodyTooLarge.
func readBody(body io.ReadCloser) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(body, MaxBody+1))
	if err == nil && len(b) > MaxBody {
		err = errBodyTooLarge
	}
	return b, errors.Join(err, body.Close())
}

// decodeHello checks that server 1 answered /hello's JSON shape.
func decodeHello(b []byte) (*helloReply, error) {
	var v struct {
		Msg        *string `json:"msg"`
		GoRoutines *int    `json:"goRoutines"`
	}
	if err := json.Unmarshal(b, &v); err != nil || v.Msg == nil || v.GoRoutines == nil {
		return nil, fmt.Errorf("server 1 answered something that is not /hello's JSON: %.100q", b)
	}
	return &helloReply{Msg: *v.Msg, GoRoutines: *v.GoRoutines}, nil
}

// isHandshakeTimeout reports whether err is net/http's TLS handshake
// timeout, a net.Error whose message is the one way to tell it apart.
func isHandshakeTimeout(err error) bool {
	return isTimeout(err) && strings.Contains(err.Error(), "TLS handshake timeout")
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}
