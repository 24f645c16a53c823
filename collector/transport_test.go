package collector_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/connleak/connleak/collector"
	"github.com/connleak/connleak/internal/testutil"
)

// openConns waits until the collector gives idle and active open
// connections to srv's host, the series absent where both are 0.
func openConns(t *testing.T, srv *httptest.Server, idle, active int) {
	t.Helper()
	host, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	key := func(state string) string {
		return fmt.Sprintf(`http_client_open_connections{http_connection_state=%q,server_address=%q,server_port=%q}`, state, host, port)
	}
	testutil.Eventually(t, 10*time.Second, func() error {
		m := gather(t, collector.New())
		gotIdle, okIdle := m[key("idle")]
		gotActive, okActive := m[key("active")]
		if idle == 0 && active == 0 {
			if okIdle || okActive {
				return fmt.Errorf("open connections to %s: idle %v, active %v; want none, the series gone", srv.URL, gotIdle, gotActive)
			}
			return nil
		}
		if gotIdle != float64(idle) || gotActive != float64(active) {
			return fmt.Errorf("open connections to %s: idle %v, active %v; want %d, %d", srv.URL, gotIdle, gotActive, idle, active)
		}
		return nil
	})
}

// hold makes n calls with c to url and keeps their bodies, neither read
// nor closed, at once where concurrent; it returns them.
func hold(t *testing.T, c *http.Client, url string, n int) []io.ReadCloser {
	t.Helper()
	bodies := make([]io.ReadCloser, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			resp, err := c.Get(url)
			if err != nil {
				errs <- err
				return
			}
			bodies[i] = resp.Body
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return bodies
}

// readAll reads each body to its end, and closes it.
func readAll(bodies []io.ReadCloser) {
	for _, b := range bodies {
		io.Copy(io.Discard, b)
		b.Close()
	}
}

// TestTransportHTTP1 counts an instrumented pool's HTTP/1 connections: a
// body held keeps its connection active, one read to its end gives it back
// idle, and what the pool closes (CloseIdleConnections, the server's
// close, IdleConnTimeout) counts no more.
func TestTransportHTTP1(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(hello))
	defer srv.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: 4, IdleConnTimeout: time.Minute}
	c := &http.Client{Transport: collector.Transport(tr)}
	defer c.CloseIdleConnections()

	bodies := hold(t, c, srv.URL, 3)
	openConns(t, srv, 0, 3)
	readAll(bodies)
	openConns(t, srv, 3, 0)
	c.CloseIdleConnections() // through the RoundTripper, as http.Client asks it
	openConns(t, srv, 0, 0)

	get(t, c, srv.URL)
	openConns(t, srv, 1, 0)
	srv.CloseClientConnections() // the server closes: the pool's readLoop sees it
	openConns(t, srv, 0, 0)

	// A second Transport call on the same pool counts nothing twice.
	c2 := &http.Client{Transport: collector.Transport(tr)}
	get(t, c2, srv.URL)
	openConns(t, srv, 1, 0)
	c2.CloseIdleConnections()
	openConns(t, srv, 0, 0)

	// The pool's IdleConnTimeout closes it.
	short := &http.Client{Transport: collector.Transport(&http.Transport{IdleConnTimeout: 50 * time.Millisecond})}
	defer short.CloseIdleConnections()
	get(t, short, srv.URL)
	openConns(t, srv, 0, 0)
}

// TestTransportHTTP2 counts an instrumented pool's HTTP/2 connection: one
// connection for calls at once, active while one of their bodies is held,
// idle once all are read, gone when the pool closes it.
func TestTransportHTTP2(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(hello))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	tr := srv.Client().Transport.(*http.Transport).Clone()
	c := &http.Client{Transport: collector.Transport(tr)}
	defer c.CloseIdleConnections()

	get(t, c, srv.URL) // the one connection, dialled
	bodies := hold(t, c, srv.URL, 3)
	openConns(t, srv, 0, 1)
	readAll(bodies[:2])
	openConns(t, srv, 0, 1) // one stream still held
	readAll(bodies[2:])
	openConns(t, srv, 1, 0)
	resp, err := c.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if resp.ProtoMajor != 2 {
		t.Errorf("the call went over %s, want HTTP/2", resp.Proto)
	}
	resp.Body.Close() // closed unread: done all the same
	openConns(t, srv, 1, 0)
	c.CloseIdleConnections()
	openConns(t, srv, 0, 0)
}

// TestTransportError counts nothing for a call that got no connection, and
// gives back one whose call failed after it took it.
func TestTransportError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic(http.ErrAbortHandler) // the connection closed with no reply
	}))
	defer srv.Close()
	c := &http.Client{Transport: collector.Transport(&http.Transport{IdleConnTimeout: time.Minute})}
	defer c.CloseIdleConnections()
	if _, err := c.Get(srv.URL); err == nil {
		t.Fatal("a call the server aborts did not fail")
	}
	openConns(t, srv, 0, 0)
	if _, err := c.Get("http://127.0.0.1:1/"); err == nil {
		t.Fatal("a call to a closed port did not fail")
	}
}

// TestTransportKeepsHTTP2 instruments a Transport with nothing set, which
// tries HTTP/2 on its own: it still does, though a dial of its own would
// turn that off; one with a TLS configuration of its own stays as it was.
func TestTransportKeepsHTTP2(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(hello))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	tr := &http.Transport{}
	c := &http.Client{Transport: collector.Transport(tr)}
	defer c.CloseIdleConnections()
	// Trusting the test server, set after: net/http decides on HTTP/2 at
	// the first call.
	tr.TLSClientConfig = srv.Client().Transport.(*http.Transport).TLSClientConfig
	resp, err := c.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.ProtoMajor != 2 {
		t.Errorf("an instrumented zero Transport called over %s, want HTTP/2 as without the instrument", resp.Proto)
	}
	own := &http.Transport{TLSClientConfig: srv.Client().Transport.(*http.Transport).TLSClientConfig}
	collector.Transport(own)
	if own.ForceAttemptHTTP2 {
		t.Errorf("a Transport with a TLS configuration of its own was made to force HTTP/2")
	}
}

// TestTransportNoBodyHTTP2 counts the connection of a reply with no body
// idle at once over HTTP/2, where net/http gives such a reply a body of
// its own that nobody needs to close.
func TestTransportNoBodyHTTP2(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	c := &http.Client{Transport: collector.Transport(srv.Client().Transport.(*http.Transport).Clone())}
	defer c.CloseIdleConnections()
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		req, _ := http.NewRequest(method, srv.URL, nil)
		// DELIBERATE: the body of a reply with none, left alone, as
		// net/http allows; nothing holds the connection.
		resp, err := c.Do(req) //connleak:ignore body-not-closed a reply with no body, left alone on purpose
		if err != nil {
			t.Fatal(err)
		}
		if resp.ProtoMajor != 2 {
			t.Fatalf("%s over %s, want HTTP/2", method, resp.Proto)
		}
	}
	openConns(t, srv, 1, 0)
}

// TestTransportRetry counts the connection a call tried again takes, not
// the kept-alive one the server had closed: net/http retries a GET whose
// connection closed before any reply.
func TestTransportRetry(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	const reply = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
	served := make(chan struct{})
	go func() {
		defer close(served)
		// The first connection answers one request, then closes at the
		// second without a reply; the second answers.
		first, err := ln.Accept()
		if err != nil {
			return
		}
		buf := make([]byte, 4096)
		first.Read(buf)
		io.WriteString(first, reply)
		first.Read(buf)
		first.Close()
		second, err := ln.Accept()
		if err != nil {
			return
		}
		defer second.Close()
		second.Read(buf)
		io.WriteString(second, reply)
		second.Read(buf) // until the client closes it
	}()
	srv := &httptest.Server{Listener: ln, URL: "http://" + ln.Addr().String()}
	c := &http.Client{Transport: collector.Transport(&http.Transport{IdleConnTimeout: time.Minute})}
	get(t, c, srv.URL)
	resp, err := c.Get(srv.URL) // tried again on a second connection
	if err != nil {
		t.Fatal(err)
	}
	openConns(t, srv, 0, 1) // the body held: the second connection active, the first gone
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	openConns(t, srv, 1, 0)
	c.CloseIdleConnections()
	<-served
	openConns(t, srv, 0, 0)
}

// TestTransportUpgrade switches protocols through an instrumented
// Transport: the reply's body is the connection, written to and
// half-closed as net/http's own is.
func TestTransportUpgrade(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "Upgrade")
		w.Header().Set("Upgrade", "echo")
		w.WriteHeader(http.StatusSwitchingProtocols)
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		got, _ := io.ReadAll(brw) // until the client half-closes
		io.WriteString(conn, "got "+string(got))
	}))
	defer srv.Close()
	c := &http.Client{Transport: collector.Transport(&http.Transport{IdleConnTimeout: time.Minute})}
	defer c.CloseIdleConnections()
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "echo")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rw, ok := resp.Body.(io.ReadWriteCloser)
	cw, ok2 := resp.Body.(interface{ CloseWrite() error })
	if resp.StatusCode != http.StatusSwitchingProtocols || !ok || !ok2 {
		t.Fatalf("%s, body %T: want 101 and a body to write to and half-close", resp.Status, resp.Body)
	}
	io.WriteString(rw, "hello")
	if err := cw.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	if got, _ := io.ReadAll(rw); string(got) != "got hello" {
		t.Errorf("the upgraded connection answered %q, want got hello", got)
	}
}
