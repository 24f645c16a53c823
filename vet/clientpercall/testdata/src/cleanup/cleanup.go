package cleanup

import (
	"net/http"
	"testing"

	resty "resty.dev/v3"
)

// A pool released when the test ends, by Cleanup, lives as long as the
// test: no finding, in a helper or in a loop.
func methodValue(t *testing.T, u string) {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	(&http.Client{Transport: tr}).Get(u)
}

func closure(tb testing.TB, u string) {
	c := &http.Client{Transport: &http.Transport{}}
	tb.Cleanup(func() { c.CloseIdleConnections() })
	c.Get(u)
}

func restyClose(b *testing.B, u string) {
	for range 3 {
		c := resty.New()
		b.Cleanup(func() { c.Close() })
		c.R().Get(u)
	}
}

func fuzz(f *testing.F, u string) {
	tr := &http.Transport{}
	f.Cleanup((tr.CloseIdleConnections))
	(&http.Client{Transport: tr}).Get(u)
}

// Cleanup in another function releases nothing this one makes; nor does a
// release method value handed to something other than Cleanup, or one
// taken before the pool is made.
func register(t *testing.T, c *http.Client) { t.Cleanup(c.CloseIdleConnections) }

var global *http.Client

func elsewhere(t *testing.T, u string) {
	go func() {
		c := &http.Client{Transport: &http.Transport{}} // want `an http.Client with a Transport of its own made per call \(and dropped when the function returns\)`
		c.Get(u)
	}()
	t.Cleanup(func() {
		if global != nil {
			global.CloseIdleConnections()
		}
	})
}

func notCleanup(t *testing.T, u string) {
	tr := &http.Transport{}
	later(tr.CloseIdleConnections)
	(&http.Client{Transport: tr}).Get(u) // want `an http.Client with a Transport of its own made per call \(and dropped when the function returns\)`
}

func later(func()) {}

func before(t *testing.T, u string) {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	tr = &http.Transport{}
	(&http.Client{Transport: tr}).Get(u) // want `an http.Client with a Transport of its own made per call \(and dropped when the function returns\)`
}

// A package's pool outlives every test: Cleanup closes its idle
// connections once, and the next test makes more.
var shared = &http.Transport{}

func TestShared(t *testing.T) { // want TestShared:`keeps\(0\)`
	t.Cleanup(shared.CloseIdleConnections)
}
