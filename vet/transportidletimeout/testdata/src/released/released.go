package released

import (
	"context"
	"net"
	"net/http"
	"testing"
)

// A Transport that the function making it releases on its way out keeps
// no idle connection past it (or past the test, for Cleanup).
func cleanupMethodValue(t *testing.T) *http.Client {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

func cleanupClosure(tb testing.TB) {
	tr := &http.Transport{}
	tb.Cleanup(func() { tr.CloseIdleConnections() })
	(&http.Client{Transport: tr}).Get("http://localhost/")
}

func deferred(url string) {
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	(&http.Client{Transport: tr}).Get(url)
}

func deferredClosure(url string) {
	var tr *http.Transport
	defer func() { tr.CloseIdleConnections() }()
	tr = &http.Transport{}
	(&http.Client{Transport: tr}).Get(url)
}

// Through the client it is given.
func viaClient(t *testing.T, tls bool) {
	tr := &http.Transport{}
	c := &http.Client{Transport: tr}
	t.Cleanup(c.CloseIdleConnections)
	inline := &http.Client{Transport: &http.Transport{}}
	defer inline.CloseIdleConnections()
	c.Get("http://localhost/")
	inline.Get("http://localhost/")
}

func inSubtest(t *testing.T) {
	for _, name := range []string{"a", "b"} {
		t.Run(name, func(t *testing.T) {
			tr := &http.Transport{}
			t.Cleanup(tr.CloseIdleConnections)
			(&http.Client{Transport: tr}).Get("http://localhost/")
		})
	}
}

// A Transport whose dial always fails makes no connection, but the
// analyzer does not read what DialContext does: released, it is silent.
func neverDials(t *testing.T) {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) { return nil, net.ErrClosed },
	}
	defer tr.CloseIdleConnections()
	(&http.Client{Transport: tr}).Get("http://localhost/")
}

func neverDialsKept(t *testing.T) *http.Transport {
	return &http.Transport{ // want `http.Transport without IdleConnTimeout keeps every idle connection for ever`
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) { return nil, net.ErrClosed },
	}
}

// The assignment of a 0 is judged so too.
func zeroReleased(t *testing.T) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	tr.IdleConnTimeout = 0
}

func zeroParam(t *testing.T, tr *http.Transport) {
	t.Cleanup(tr.CloseIdleConnections)
	tr.IdleConnTimeout = 0 // want `http.Transport with IdleConnTimeout 0 keeps every idle connection for ever`
}

// Not released by the function that makes it: a package's Transport, used
// after any test's Cleanup; a release elsewhere; a method value handed to
// something other than Cleanup; a defer before the Transport is made; a
// Cleanup in a closure that is not a release's.
var shared = &http.Transport{} // want `http.Transport without IdleConnTimeout keeps every idle connection for ever`

func TestShared(t *testing.T) {
	t.Cleanup(shared.CloseIdleConnections)
}

func register(t *testing.T, tr *http.Transport) { t.Cleanup(tr.CloseIdleConnections) }

func elsewhere(t *testing.T) {
	tr := &http.Transport{} // want `http.Transport without IdleConnTimeout keeps every idle connection for ever`
	register(t, tr)
}

func later(func()) {}

func notCleanup() {
	tr := &http.Transport{} // want `http.Transport without IdleConnTimeout keeps every idle connection for ever`
	later(tr.CloseIdleConnections)
}

func deferBefore(url string) {
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	tr = &http.Transport{} // want `http.Transport without IdleConnTimeout keeps every idle connection for ever`
	(&http.Client{Transport: tr}).Get(url)
}

func inGoroutine(t *testing.T) {
	tr := &http.Transport{}
	go func() {
		inner := &http.Transport{} // want `http.Transport without IdleConnTimeout keeps every idle connection for ever`
		(&http.Client{Transport: inner}).Get("http://localhost/")
	}()
	t.Cleanup(tr.CloseIdleConnections)
}

func closureCallsOther(t *testing.T) {
	tr := &http.Transport{} // want `http.Transport without IdleConnTimeout keeps every idle connection for ever`
	t.Cleanup(func() { later(tr.CloseIdleConnections) })
}

// A CloseIdleConnections called later in the block that makes the
// Transport, or in a block around it, with no loop in between, frees
// what it keeps each time it is made.
func closedLater(url string) error {
	tr := &http.Transport{}
	c := &http.Client{Transport: tr}
	if _, err := c.Get(url); err != nil {
		return err
	}
	tr.CloseIdleConnections()
	return nil
}

func closedLaterOuter(url string, ok bool) {
	c := &http.Client{}
	if ok {
		c = &http.Client{Transport: &http.Transport{}}
	}
	c.Get(url)
	c.CloseIdleConnections()
}

// Not so: a close in a branch of its own, before the Transport is made,
// or outside the loop that makes one each time round.
func closedInBranch(url string, done bool) {
	tr := &http.Transport{} // want `http.Transport without IdleConnTimeout keeps every idle connection for ever`
	(&http.Client{Transport: tr}).Get(url)
	if done {
		tr.CloseIdleConnections()
	}
}

func closedBefore(url string) {
	var tr *http.Transport
	tr.CloseIdleConnections()
	tr = &http.Transport{} // want `http.Transport without IdleConnTimeout keeps every idle connection for ever`
	(&http.Client{Transport: tr}).Get(url)
}

func closedAfterLoop(urls []string) {
	var tr *http.Transport
	for _, u := range urls {
		tr = &http.Transport{} // want `http.Transport without IdleConnTimeout keeps every idle connection for ever`
		(&http.Client{Transport: tr}).Get(u)
	}
	tr.CloseIdleConnections()
}

func closedInGoroutine(url string) {
	tr := &http.Transport{} // want `http.Transport without IdleConnTimeout keeps every idle connection for ever`
	(&http.Client{Transport: tr}).Get(url)
	go func() { tr.CloseIdleConnections() }()
}
