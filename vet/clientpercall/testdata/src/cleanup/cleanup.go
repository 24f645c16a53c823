package cleanup

import (
	"net/http"
	"testing"

	resty "resty.dev/v3"
)

// A pool that a test, or a subtest, makes and releases by Cleanup lives
// as long as the test: no finding, even in a loop.
func TestMethodValue(t *testing.T) { // want TestMethodValue:`keeps\(0\)`
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	(&http.Client{Transport: tr}).Get("http://localhost/")
}

func TestClosure(t *testing.T) { // want TestClosure:`keeps\(0\)`
	t.Run("sub", func(t *testing.T) {
		c := &http.Client{Transport: &http.Transport{}}
		t.Cleanup(func() { c.CloseIdleConnections() })
		c.Get("http://localhost/")
	})
}

func BenchmarkRestyClose(b *testing.B) { // want BenchmarkRestyClose:`keeps\(0\)`
	for range 3 {
		c := resty.New()
		b.Cleanup(func() { c.Close() })
		c.R().Get("http://localhost/")
	}
}

func FuzzParen(f *testing.F) { // want FuzzParen:`keeps\(0\)`
	tr := &http.Transport{}
	f.Cleanup((tr.CloseIdleConnections))
	(&http.Client{Transport: tr}).Get("http://localhost/")
}

// A helper's Cleanup runs when its caller's test ends, not when it
// returns: called per request, it holds a pool per call until then.
func helper(tb testing.TB, u string) {
	c := &http.Client{Transport: &http.Transport{}} // want `an http.Client with a Transport of its own made per call \(and dropped when the function returns\)`
	tb.Cleanup(c.CloseIdleConnections)
	c.Get(u)
}

// A deferred release runs when the helper returns.
func deferred(tb testing.TB, u string) {
	c := &http.Client{Transport: &http.Transport{}}
	defer c.CloseIdleConnections()
	c.Get(u)
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
