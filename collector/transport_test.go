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
