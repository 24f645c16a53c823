package connleaktest_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/connleak/connleak/connleaktest"
	"github.com/connleak/connleak/internal/testutil"
)

// TestGoleakOptions keeps a goroutine of every HTTP kind connleaktest
// judges open at once, client and server, HTTP/1 and HTTP/2: idle
// connections, calls waiting for a response and for a connection, a dial
// in its TLS handshake. goleak sees them without the options and none of
// them with; it still sees a goroutine of the test's own.
func TestGoleakOptions(t *testing.T) {
	srv := hello(t)
	release := make(chan struct{})
	entered := make(chan struct{}, 4)
	stall := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-release
	})
	stall1 := httptest.NewServer(stall)
	stall2 := httptest.NewUnstartedServer(stall)
	stall2.EnableHTTP2 = true
	stall2.StartTLS()
	h2 := httptest.NewUnstartedServer(srv.Config.Handler)
	h2.EnableHTTP2 = true
	h2.StartTLS()

	c1 := &http.Client{Transport: &http.Transport{IdleConnTimeout: time.Minute, MaxConnsPerHost: 1}}
	c2 := &http.Client{Transport: h2.Client().Transport.(*http.Transport).Clone()}
	c3 := &http.Client{Transport: stall2.Client().Transport.(*http.Transport).Clone()}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		close(release)
		wg.Wait()
		for _, c := range []*http.Client{c1, c2, c3} {
			c.CloseIdleConnections()
		}
		stall1.Close()
		stall2.Close()
		h2.Close()
	})
	handshake, accepted := testutil.Stalled(t) // its cleanup, first, ends the handshake
	servers := goleak.IgnoreCurrent()          // their accept loops, which goleak is right to see
	get(t, c1, srv.URL)                        // an idle HTTP/1 connection, both sides
	get(t, c2, h2.URL)                         // an idle HTTP/2 one
	call := func(c *http.Client, url string) {
		wg.Go(func() {
			if resp, err := c.Get(url); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
	call(c1, stall1.URL) // waiting for a response, HTTP/1
	call(c1, stall1.URL) // waiting for a connection: MaxConnsPerHost is 1
	call(c3, stall2.URL) // waiting for a response, HTTP/2
	// A dial in its TLS handshake, with no TLSHandshakeTimeout: it ends
	// when the stalled upstream closes its connection, at cleanup.
	call(&http.Client{Transport: &http.Transport{IdleConnTimeout: time.Minute}}, strings.Replace(handshake, "http:", "https:", 1))
	<-entered
	<-entered
	testutil.Eventually(t, 5*time.Second, func() error {
		if accepted() == 0 {
			return fmt.Errorf("the handshake's connection is not accepted yet")
		}
		return nil
	})

	if err := goleak.Find(servers); err == nil {
		t.Fatal("goleak finds no goroutine of the connections, want them")
	}
	if err := goleak.Find(append(connleaktest.GoleakOptions(), servers)...); err != nil {
		t.Errorf("with GoleakOptions, goleak finds %v", err)
	}

	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // the test's own goroutine, blocked until the end of the check
		defer close(done)
		<-stop
	}()
	err := goleak.Find(append(connleaktest.GoleakOptions(), servers)...)
	close(stop)
	<-done
	if err == nil || !strings.Contains(err.Error(), "TestGoleakOptions.func") {
		t.Errorf("with GoleakOptions, goleak misses a goroutine of the test's: %v", err)
	}
}
