package server

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/pprof"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/connleak/connleak/internal/labca"
	"github.com/connleak/connleak/internal/poll"
)

// tlsServer1 serves a server 1 of SERVER_PROTO=h2 on a free loopback port,
// as the connleak process does (Serve), until the test ends. stop stops it
// and says how long Serve took to return.
func tlsServer1(t *testing.T) (addr string, stop func() time.Duration) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- New(Config{Proto: ServeH2}).Serve(ctx, ln, slog.New(slog.DiscardHandler)) }()
	var took time.Duration
	stop = func() time.Duration {
		if ctx.Err() == nil {
			start := time.Now()
			cancel()
			if err := <-served; err != nil {
				t.Errorf("Serve: %v", err)
			}
			took = time.Since(start)
		}
		return took
	}
	t.Cleanup(func() { stop() })
	return ln.Addr().String(), stop
}

// stalledHandshakes is how many goroutines of this process wait in a
// handshake server 1 stalls.
func stalledHandshakes(t *testing.T) int {
	t.Helper()
	var b bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&b, 2); err != nil {
		t.Fatal(err)
	}
	return strings.Count(b.String(), "stallHandshakes.func") // the closure, inlined in Serve or not
}

// countingConn counts the bytes read from its connection.
type countingConn struct {
	net.Conn
	read atomic.Int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.Add(int64(n))
	return n, err
}

// stalledClient starts a TLS handshake that offers the stall marker, and
// waits until server 1 stalls it. done says when the handshake returned.
func stalledClient(t *testing.T, addr string) (conn *countingConn, done <-chan error) {
	t.Helper()
	raw, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	conn = &countingConn{Conn: raw}
	t.Cleanup(func() { conn.Close() })
	tc := tls.Client(conn, &tls.Config{RootCAs: labca.Roots(), ServerName: "127.0.0.1", NextProtos: []string{stallHandshakeProto, "http/1.1"}})
	handshake := make(chan error, 1)
	go func() { handshake <- tc.Handshake() }()
	if err := poll.Until(5*time.Second, func() error {
		return poll.True(stalledHandshakes(t) == 1, "server 1 to stall the handshake")
	}); err != nil {
		t.Fatal(err)
	}
	return conn, handshake
}

// TestStallHandshake checks server 1's stalled handshake: a ClientHello
// offering the marker gets no ServerHello, not a byte, until the client
// closes the connection, while a ClientHello without it is served on the
// same listener.
func TestStallHandshake(t *testing.T) {
	addr, _ := tlsServer1(t)
	conn, handshake := stalledClient(t, addr)

	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: labca.Roots()}, DisableKeepAlives: true}, Timeout: 5 * time.Second}
	resp, err := client.Get("https://" + addr + "/hello")
	if err != nil {
		t.Fatalf("a call without the marker, during the stall: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("a call without the marker, during the stall: %s, want 200", resp.Status)
	}

	select {
	case err := <-handshake:
		t.Fatalf("the stalled handshake returned %v before the client closed", err)
	default:
	}
	if n := conn.read.Load(); n != 0 {
		t.Errorf("the stalled client read %d bytes, want none: no ServerHello", n)
	}
	conn.Close()
	if err := <-handshake; err == nil {
		t.Errorf("the stalled handshake succeeded, want it to fail")
	}
	if err := poll.Until(5*time.Second, func() error {
		return poll.True(stalledHandshakes(t) == 0, "server 1 to end the stall once the client closed")
	}); err != nil {
		t.Fatal(err)
	}
	if n := conn.read.Load(); n != 0 {
		t.Errorf("the stalled client read %d bytes, want none", n)
	}
}

// TestStallHandshakeStop checks that a stop ends a stalled handshake at
// once, not after the grace period.
func TestStallHandshakeStop(t *testing.T) {
	addr, stop := tlsServer1(t)
	_, handshake := stalledClient(t, addr)
	if took := stop(); took >= ShutdownTimeout {
		t.Errorf("Serve returned %v after the stop, want it well within the %v grace period", took, ShutdownTimeout)
	}
	if err := <-handshake; err == nil {
		t.Errorf("the stalled handshake succeeded, want it to fail")
	}
}

// TestForwardStallHandshake calls a stalled server 1 through /forward:
// with tlsHandshakeTimeout the call ends with a 504 naming it, and the
// call's dial and server 1's connection end with it.
func TestForwardStallHandshake(t *testing.T) {
	addr, _ := tlsServer1(t)
	s := server2(t, "https://"+addr)
	for _, client := range []string{"shared", "nethttp", "new&transport=resty"} {
		t.Run(client, func(t *testing.T) {
			w := serve(s, "GET", "/forward?stallHandshake=true&tlsHandshakeTimeout=50ms&client="+client)
			if w.Code != http.StatusGatewayTimeout || !errorShape.Match(w.Body.Bytes()) || !strings.Contains(w.Body.String(), "did not finish its TLS handshake within tlsHandshakeTimeout=50ms") {
				t.Errorf("got %d %s, want 504 naming tlsHandshakeTimeout", w.Code, w.Body)
			}
			if err := poll.Until(5*time.Second, func() error {
				return poll.True(stalledHandshakes(t) == 0, "server 1 to end the stall once the dial gave up")
			}); err != nil {
				t.Fatal(err)
			}
		})
	}
	if w := serve(s, "GET", "/forward?client=shared&proto=h2"); w.Code != http.StatusOK {
		t.Errorf("a call without stallHandshake: %d %s, want 200", w.Code, w.Body)
	}
}

// TestForwardStallHandshakeLeaks calls a stalled server 1 with no
// tlsHandshakeTimeout: FORWARD_CALL_CEILING cuts the call with a 504, but
// the dial goes on (since Go 1.23 a dial outlives its call), its handshake
// still stalled, until POST /reset closes what /forward holds.
func TestForwardStallHandshakeLeaks(t *testing.T) {
	addr, _ := tlsServer1(t)
	s := New(Config{UpstreamURL: mustURL(t, "https://"+addr), Forward: DefaultOptions(), CallCeiling: 50 * time.Millisecond})
	t.Cleanup(func() { s.clientConns.release() })
	w := serve(s, "GET", "/forward?client=shared&stallHandshake=true")
	if w.Code != http.StatusGatewayTimeout || !strings.Contains(w.Body.String(), "FORWARD_CALL_CEILING=50ms") {
		t.Fatalf("got %d %s, want 504 naming FORWARD_CALL_CEILING", w.Code, w.Body)
	}
	if n := stalledHandshakes(t); n != 1 {
		t.Errorf("%d handshakes stalled on server 1 once the call was cut, want 1: the dial goes on", n)
	}
	if w := serve(s, "POST", "/reset"); w.Code != http.StatusOK {
		t.Fatalf("POST /reset: %d %s", w.Code, w.Body)
	}
	if err := poll.Until(5*time.Second, func() error {
		return poll.True(stalledHandshakes(t) == 0, "POST /reset to end the dial, and server 1 its stall")
	}); err != nil {
		t.Fatal(err)
	}
}
