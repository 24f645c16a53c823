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

	"github.com/connleak/connleak/connleaktest"
	"github.com/connleak/connleak/diagnose"
)

// A shared pool is a client that tests share, as a package's client is,
// and a server it calls that outlives them: /stall holds a request until
// the real test ends, anything else is answered at once.
type shared struct {
	*http.Client
	url     string
	entered chan struct{} // a request has reached /stall
	calls   sync.WaitGroup
}

func newShared(real *testing.T) *shared {
	real.Helper()
	p := &shared{Client: &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}, entered: make(chan struct{}, 1)}
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/stall" {
			p.entered <- struct{}{}
			<-release
		}
		io.WriteString(w, "hello")
	}))
	p.url = srv.URL
	real.Cleanup(func() { close(release); p.calls.Wait(); p.CloseIdleConnections(); srv.Close() })
	return p
}

// leaveBody calls the pool and leaves the body open until the real test
// ends: DELIBERATE LEAK.
func (p *shared) leaveBody(t testing.TB, real *testing.T) {
	resp, err := p.Get(p.url)
	if err != nil {
		t.Fatal(err)
	}
	real.Cleanup(func() { resp.Body.Close() })
}

// TestSharedPool judges a test by what it leaves on a connection of a
// shared pool that an earlier test dialled, and which carries the earlier
// test's labels therefore: a body it leaves open, or a call it leaves
// waiting, holds the connection and fails it; a body it reads and closes
// does not, nor a body the earlier test left open.
func TestSharedPool(t *testing.T) {
	for _, tt := range []struct {
		name    string
		earlier func(p *shared, t testing.TB, real *testing.T) // dials the pool's connection
		body    func(p *shared, t testing.TB, real *testing.T)
		fails   string // the failure's finding, and what it says; "" to pass
	}{
		{"a body left open", healthyCall, (*shared).leaveBody,
			diagnose.BodiesNotClosed + ": 1 response body neither read to the end nor closed: each holds its connection. 1 of them on a connection idle in a shared pool when the test began, which TestEarlier dialled."},
		{"a call left waiting", healthyCall, func(p *shared, t testing.TB, real *testing.T) {
			// DELIBERATE LEAK: no timeout, to an upstream that stalls until the real test ends.
			p.calls.Go(func() {
				if resp, err := p.Get(p.url + "/stall"); err == nil {
					resp.Body.Close()
				}
			})
			<-p.entered
		}, diagnose.CallsWithoutTimeout + ": 1 call still waiting for a response."},
		{"a body read and closed", healthyCall, func(p *shared, t testing.TB, real *testing.T) { get(t, p.Client, p.url) }, ""},
		{"a body the earlier test left open", (*shared).leaveBody, func(p *shared, t testing.TB, real *testing.T) {}, ""},
	} {
		// Check knows what the pool held at the start from the earlier
		// test's check, which looked last, or, where goroutines have
		// started since, from a goroutine profile of its own.
		for _, since := range []int{0, 2} {
			t.Run(fmt.Sprintf("%s/%d goroutines started since the last look", tt.name, since), func(t *testing.T) {
				p := newShared(t)
				goCase(t, "TestEarlier", func(ft testing.TB) { tt.earlier(p, ft, t) }, connleaktest.Deadline(100*time.Millisecond))()
				var wg sync.WaitGroup
				for range since {
					wg.Go(func() {})
				}
				wg.Wait()
				got := runCase(t, func(ft testing.TB) { tt.body(p, ft, t) }, connleaktest.Deadline(300*time.Millisecond))
				if tt.fails == "" && got != "" || !strings.Contains(got, tt.fails) {
					t.Errorf("the check after an earlier test dialled the pool: %q, want %q", got, tt.fails)
				}
			})
		}
	}
}

// healthyCall leaves one idle connection in p's pool.
func healthyCall(p *shared, t testing.TB, _ *testing.T) { get(t, p.Client, p.url) }

// TestSharedPoolBeside leaves the check of a test that takes a connection
// of a shared pool and leaves its body open passing, when another test
// ran beside it, which may have been the one: the whole process's next
// check fails instead, naming both, once only.
func TestSharedPoolBeside(t *testing.T) {
	p := newShared(t)
	goCase(t, "TestEarlier", func(ft testing.TB) { healthyCall(p, ft, t) })()
	var resp *http.Response
	aStarted, bTook := make(chan struct{}), make(chan struct{})
	a := goCase(t, "TestA", func(ft testing.TB) {
		close(aStarted)
		<-bTook
	})
	<-aStarted
	b := goCase(t, "TestB", func(ft testing.TB) {
		// DELIBERATE LEAK: the body is closed only once both are judged.
		r, err := p.Get(p.url)
		if err != nil {
			ft.Fatal(err)
		}
		resp = r
		close(bTook)
	})
	if got := b(); got != "" {
		t.Errorf("TestB, which left the body open and ran beside TestA: %q, want a pass", got)
	}
	if got := a(); got != "" {
		t.Errorf("TestA, which ran beside TestB: %q, want a pass", got)
	}
	if resp == nil {
		t.Fatal("TestB made no call")
	}
	resp.Body.Close() // what stays is what the checks noted

	opts := []connleaktest.Option{connleaktest.Deadline(300 * time.Millisecond)}
	err := connleaktest.Find(opts...)
	got := fmt.Sprint(err)
	for _, want := range []string{
		"\n  " + diagnose.BodiesNotClosed + ": 1 response body neither read to the end nor closed when TestB ended, on a connection idle in a shared pool when it began, which TestEarlier dialled; TestA ran beside it, and any of them may have left it.",
		"\n  " + diagnose.BodiesNotClosed + ": 1 response body neither read to the end nor closed when TestA ended, on a connection idle in a shared pool when it began, which TestEarlier dialled; TestB ran beside it, and any of them may have left it.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the whole process's check: %v, want it to say %q", err, want)
		}
	}
	if err := connleaktest.Find(opts...); err != nil {
		t.Errorf("the whole process's check after: %v, want the bodies said once", err)
	}
}
