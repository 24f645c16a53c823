package connleaktest_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/connleak/connleak/connleaktest"
	"github.com/connleak/connleak/diagnose"
	"github.com/connleak/connleak/internal/testutil"
)

// TestMain fails the package if its tests leave connections that no check
// claims, and none idle at all: every case closes, once it is judged, what
// it leaves.
func TestMain(m *testing.M) {
	connleaktest.VerifyTestMain(m, connleaktest.Allow(diagnose.IdleClientConnections, 0))
}

// hello is a server that outlives the cases, as a service a test calls does.
func hello(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") }))
	t.Cleanup(srv.Close)
	return srv
}

// get calls url with c, reads the body to its end and closes it.
func get(t testing.TB, c *http.Client, url string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		t.Fatal(err)
	}
}

// closeIdle closes the idle connections of the default client.
func closeIdle() { http.DefaultTransport.(*http.Transport).CloseIdleConnections() }

// A pool case is a test body, t; what it registers on the real test closes
// what it leaves, once the case is judged.
type pool func(t testing.TB, real testing.TB)

// TestHealthyPools passes the pools a healthy test keeps, with no option.
// It passes for the right reason: the same case fails with no idle
// connection allowed, so its connections were the test's and left idle in
// a pool, except for the one whose server the test closes.
func TestHealthyPools(t *testing.T) {
	srv := hello(t)
	tlsSrv := httptest.NewUnstartedServer(srv.Config.Handler)
	tlsSrv.EnableHTTP2 = true
	tlsSrv.StartTLS()
	t.Cleanup(tlsSrv.Close)

	for _, tt := range []struct {
		name   string
		body   pool
		leaves bool // idle connections in a pool the test does not close
	}{
		{"default client", func(t testing.TB, real testing.TB) {
			for range 5 {
				get(t, http.DefaultClient, srv.URL)
			}
		}, true},
		{"shared client, concurrent calls", func(t testing.TB, real testing.TB) {
			c := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
			real.Cleanup(c.CloseIdleConnections)
			var wg sync.WaitGroup
			for range 10 {
				wg.Go(func() { get(t, c, srv.URL) })
			}
			wg.Wait()
			get(t, c, srv.URL)
		}, true},
		{"shared Resty client", func(t testing.TB, real testing.TB) {
			c := resty.New()
			real.Cleanup(c.GetClient().CloseIdleConnections)
			for range 5 {
				if _, err := c.R().Get(srv.URL); err != nil {
					t.Fatal(err)
				}
			}
		}, true},
		{"shared HTTP/2 client over TLS", func(t testing.TB, real testing.TB) {
			c := &http.Client{Transport: tlsSrv.Client().Transport.(*http.Transport).Clone()}
			real.Cleanup(c.CloseIdleConnections)
			var wg sync.WaitGroup
			for range 5 {
				wg.Go(func() {
					resp, err := c.Get(tlsSrv.URL)
					if err != nil {
						t.Error(err)
						return
					}
					defer resp.Body.Close()
					io.Copy(io.Discard, resp.Body)
					if resp.ProtoMajor != 2 {
						t.Errorf("%s, want HTTP/2", resp.Proto)
					}
				})
			}
			wg.Wait()
		}, true},
		{"own httptest.Server, closed", func(t testing.TB, real testing.TB) {
			own := httptest.NewServer(srv.Config.Handler)
			t.Cleanup(own.Close)
			for range 5 {
				get(t, http.DefaultClient, own.URL)
			}
		}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			closeIdle()
			t.Cleanup(closeIdle)
			if got := runCase(t, func(ft testing.TB) { tt.body(ft, t) }); got != "" {
				t.Errorf("a healthy pool failed:\n%s", got)
			}
			closeIdle()
			got := runCase(t, func(ft testing.TB) { tt.body(ft, t) },
				connleaktest.Allow(diagnose.IdleClientConnections, 0), connleaktest.Deadline(300*time.Millisecond))
			if failed := strings.Contains(got, diagnose.IdleClientConnections+": "); failed != tt.leaves {
				t.Errorf("with no idle connection allowed: failed %v, want %v:\n%s", failed, tt.leaves, got)
			}
		})
	}
}

// TestLeaks fails each leak a test can leave, naming diagnose's finding,
// the count, the fix and where it is documented.
func TestLeaks(t *testing.T) {
	srv := hello(t)
	shared := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	t.Cleanup(shared.CloseIdleConnections)
	calls := connleaktest.DefaultIdle() + 3

	for _, tt := range []struct {
		name, id, count string
		body            pool
	}{
		{"client per call", diagnose.IdleClientConnections, fmt.Sprintf("%d idle client connections, where %d are allowed", calls, connleaktest.DefaultIdle()),
			func(t testing.TB, real testing.TB) {
				for range calls {
					// DELIBERATE LEAK: a client and Transport per call, whose idle connection stays.
					c := &http.Client{Transport: &http.Transport{}} //connleak:ignore client-per-call the leak under test
					real.Cleanup(c.CloseIdleConnections)
					get(t, c, srv.URL)
				}
			}},
		{"the seed's Resty client per call", diagnose.IdleClientConnections, fmt.Sprintf("%d idle client connections", calls),
			func(t testing.TB, real testing.TB) {
				for range calls {
					// DELIBERATE LEAK: the seed's pattern, resty.New() per call on a bare Transport.
					//connleak:ignore client-per-call the leak under test
					tr := &http.Transport{}           //connleak:ignore transport-idle-timeout the leak under test
					c := resty.New().SetTransport(tr) //connleak:ignore client-per-call the leak under test
					real.Cleanup(c.GetClient().CloseIdleConnections)
					if _, err := c.R().Get(srv.URL); err != nil {
						t.Fatal(err)
					}
				}
			}},
		{"bodies not closed", diagnose.BodiesNotClosed, "3 response bodies neither read to the end nor closed",
			func(t testing.TB, real testing.TB) {
				for range 3 {
					// DELIBERATE LEAK: the body is closed only once the case is judged.
					resp, err := shared.Get(srv.URL)
					if err != nil {
						t.Fatal(err)
					}
					real.Cleanup(func() { resp.Body.Close() })
				}
			}},
		{"call without timeout", diagnose.CallsWithoutTimeout, "1 call still waiting for a response.",
			func(t testing.TB, real testing.TB) {
				st := newStall(real)
				st.call(shared) // DELIBERATE LEAK: no timeout, to an upstream that stalls
				<-st.entered
			}},
		{"call queued for a connection", diagnose.WaitingForConnection, "1 call still queued for a connection (MaxConnsPerHost).",
			func(t testing.TB, real testing.TB) {
				c := &http.Client{Transport: &http.Transport{IdleConnTimeout: time.Minute, MaxConnsPerHost: 1}}
				real.Cleanup(c.CloseIdleConnections) // after the stalled calls end
				st := newStall(real)
				st.call(c) // DELIBERATE LEAK: two calls with no timeout on one connection at most
				st.call(c)
				<-st.entered
			}},
		{"server not closed", diagnose.IdleServerConnections, "1 server connection still open (1 idle, 0 running a handler), where 0 are allowed",
			func(t testing.TB, real testing.TB) {
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				// DELIBERATE LEAK: the listener is closed, the server's connections are not.
				s := &http.Server{Handler: srv.Config.Handler, ReadHeaderTimeout: time.Minute}
				real.Cleanup(func() { s.Close() })
				go s.Serve(ln)
				t.Cleanup(func() { ln.Close() })
				get(t, shared, "http://"+ln.Addr().String())
			}},
		{"dial without timeout", diagnose.DialsWithoutTimeout, "1 connection still being dialled (1 in a TLS handshake).",
			func(t testing.TB, real testing.TB) {
				var wg sync.WaitGroup
				real.Cleanup(wg.Wait)                   // after the stalled upstream closes its connections
				url, accepted := testutil.Stalled(real) // closes them
				// DELIBERATE LEAK: a Transport with no TLSHandshakeTimeout, to an upstream that never answers.
				c := &http.Client{Transport: &http.Transport{IdleConnTimeout: time.Minute}}
				wg.Go(func() {
					if resp, err := c.Get(strings.Replace(url, "http:", "https:", 1)); err == nil {
						resp.Body.Close()
					}
				})
				testutil.Eventually(t, 5*time.Second, func() error {
					if accepted() == 0 {
						return fmt.Errorf("no connection accepted")
					}
					return nil
				})
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := runCase(t, func(ft testing.TB) { tt.body(ft, t) }, connleaktest.Deadline(500*time.Millisecond))
			for _, want := range []string{
				"connleaktest: " + t.Name() + " left HTTP connections behind (waited 500ms for them to close):",
				"\n  " + tt.id + ": " + tt.count,
				"\n    fix: " + fixOf(tt.id),
				"\n    see " + diagnose.DocBase + tt.id,
				sitesOrHint(),
			} {
				if !strings.Contains(got, want) {
					t.Errorf("the check's failure lacks %q:\n%s", want, got)
				}
			}
		})
	}
}

// TestDefaultPool fails a test that leaves a body open on the default
// client after another test left a connection in its pool: Check closes
// the default client's idle connections, so the leaky test dials its own.
func TestDefaultPool(t *testing.T) {
	srv := hello(t)
	t.Cleanup(closeIdle)
	if got := runCase(t, func(t testing.TB) { get(t, http.DefaultClient, srv.URL) }); got != "" {
		t.Fatalf("the healthy test failed:\n%s", got)
	}
	got := runCase(t, func(ft testing.TB) {
		// DELIBERATE LEAK: the body is closed only once the case is judged.
		resp, err := http.Get(srv.URL)
		if err != nil {
			ft.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
	}, connleaktest.Deadline(300*time.Millisecond))
	if want := diagnose.BodiesNotClosed + ": 1 response body neither read"; !strings.Contains(got, want) {
		t.Errorf("the leaky test after it: %q, want %q", got, want)
	}
}

// TestAfterChecks judges, in the whole process's check, what tests left
// after their own checks passed: three clients made per call are within a
// test's allowance, and a leak to a check that allows none.
func TestAfterChecks(t *testing.T) {
	srv := hello(t)
	if got := runCase(t, func(ft testing.TB) {
		for range 3 {
			// DELIBERATE LEAK: a client per call, closed once judged.
			c := &http.Client{Transport: &http.Transport{}} //connleak:ignore client-per-call the leak under test
			t.Cleanup(c.CloseIdleConnections)
			get(ft, c, srv.URL)
		}
	}); got != "" {
		t.Fatalf("three clients per call, within the allowance: %s", got)
	}
	err := connleaktest.Find(connleaktest.Allow(diagnose.IdleClientConnections, 0), connleaktest.Deadline(300*time.Millisecond))
	if err == nil || !strings.Contains(err.Error(), diagnose.IdleClientConnections+": 3 idle client connections") {
		t.Errorf("Find after the check: %v, want the 3 idle connections the test left", err)
	}
}

// sitesOrHint is what a failure ends with: where the connections were
// made, when this process keeps its goroutines' ancestors, or else how to
// see it.
func sitesOrHint() string {
	if strings.Contains(os.Getenv("GODEBUG"), "tracebackancestors=") {
		return "\n    made at "
	}
	return "\n  Run with GODEBUG=tracebackancestors=5 to see the lines that made them."
}

// fixOf is the fix a failure gives for id: diagnose's, but for a server
// left open, which a test closes.
func fixOf(id string) string {
	if id == diagnose.IdleServerConnections {
		return "Close every server the test starts"
	}
	f, _ := diagnose.Info(id)
	return f.Fix
}

// stall is an upstream that holds every request until the real test ends,
// and the calls to it that a case leaves waiting.
type stall struct {
	url     string
	entered chan struct{} // a request has reached the handler
	calls   sync.WaitGroup
}

// newStall starts a stall; when the real test ends, it lets its requests
// go, waits for the calls, and closes.
func newStall(real testing.TB) *stall {
	st := &stall{entered: make(chan struct{}, 16)}
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st.entered <- struct{}{}
		<-release
	}))
	real.Cleanup(func() { close(release); st.calls.Wait(); srv.Close() })
	st.url = srv.URL
	return st
}

// call starts a call with c to the stall, on a goroutine the case does not
// wait for: DELIBERATE LEAK, a call left waiting, ended by newStall's cleanup.
func (st *stall) call(c *http.Client) {
	st.calls.Go(func() {
		if resp, err := c.Get(st.url); err == nil {
			resp.Body.Close()
		}
	})
}
