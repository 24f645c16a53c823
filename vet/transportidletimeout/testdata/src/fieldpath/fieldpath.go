// Package fieldpath holds a test helper that keeps the Transport it makes
// in a field of a harness it makes, and releases it through that field:
// t.Cleanup(h.transport.CloseIdleConnections). The release counts as one
// through a variable does, where the field is reached from a local
// variable of the function that makes the Transport, through fields of
// values it made.
package fieldpath

import (
	"net/http"
	"testing"
	"time"
)

type harness struct {
	transport *http.Transport
	inner     struct{ transport *http.Transport }
	shared    *harness
	requests  int
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{}
	h.transport = &http.Transport{MaxIdleConns: 4}
	t.Cleanup(h.transport.CloseIdleConnections)
	return h
}

func deferred(url string) {
	var h harness
	h.inner.transport = &http.Transport{}
	defer h.inner.transport.CloseIdleConnections()
	(&http.Client{Transport: h.inner.transport}).Get(url)
}

func deferredClosure(url string) {
	h := new(harness)
	defer func() { h.transport.CloseIdleConnections() }()
	h.transport = new(http.Transport)
	(&http.Client{Transport: h.transport}).Get(url)
}

// Not released so: through a harness handed in, or one reached through a
// pointer field, used after the function returns; a release of another
// field; a release before the Transport is made; a harness that is not
// only made here.
func handedIn(t *testing.T, h *harness) {
	h.transport = &http.Transport{} // want `http.Transport without IdleConnTimeout keeps every idle connection for ever`
	t.Cleanup(h.transport.CloseIdleConnections)
}

func throughPointer(t *testing.T) {
	h := &harness{shared: &harness{}}
	h.shared.transport = &http.Transport{} // want `http.Transport without IdleConnTimeout`
	t.Cleanup(h.shared.transport.CloseIdleConnections)
}

func otherField(t *testing.T) {
	h := &harness{}
	h.transport = &http.Transport{} // want `http.Transport without IdleConnTimeout`
	h.inner.transport = &http.Transport{IdleConnTimeout: time.Minute}
	t.Cleanup(h.inner.transport.CloseIdleConnections)
}

func deferBefore(url string) {
	h := &harness{transport: &http.Transport{IdleConnTimeout: time.Minute}}
	defer h.transport.CloseIdleConnections()
	h.transport = &http.Transport{} // want `http.Transport without IdleConnTimeout`
	(&http.Client{Transport: h.transport}).Get(url)
}

var global = &harness{}

func notOnlyMade(t *testing.T, reuse bool) {
	h := &harness{}
	if reuse {
		h = global
	}
	h.transport = &http.Transport{} // want `http.Transport without IdleConnTimeout`
	t.Cleanup(h.transport.CloseIdleConnections)
}
