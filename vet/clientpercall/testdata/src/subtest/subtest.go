package subtest

import (
	"net/http"
	"testing"

	resty "resty.dev/v3"
)

// A subtest runs once, as its test does: a pool it makes once is no
// finding.
func TestOnce(t *testing.T) { // want TestOnce:`keeps\(0\)`
	t.Run("resty", func(t *testing.T) {
		c := resty.New()
		c.R().Get("http://localhost/")
	})
	t.Run("nested", func(t *testing.T) {
		t.Run("client", func(t *testing.T) {
			c := &http.Client{Transport: &http.Transport{}}
			c.Get("http://localhost/")
		})
	})
	t.Run("paren", (func(t *testing.T) {
		tr := &http.Transport{}
		tr.RoundTrip(nil)
	}))
}

func BenchmarkOnce(b *testing.B) { // want BenchmarkOnce:`keeps\(0\)`
	b.Run("transport", func(b *testing.B) {
		c := &http.Client{Transport: &http.Transport{}}
		for b.Loop() {
			c.Get("http://localhost/")
		}
	})
}

// A loop inside the subtest repeats, as anywhere.
func TestLoopInside(t *testing.T) { // want TestLoopInside:`keeps\(0\)`
	t.Run("loop", func(t *testing.T) {
		for range 3 {
			c := resty.New() // want `a Resty client made per call \(inside a loop\)`
			c.R().Get("http://localhost/")
		}
	})
}

// A table's subtests, one per case: each makes a pool of its own, and
// drops it with its idle connections.
func TestTable(t *testing.T) { // want TestTable:`keeps\(0\)`
	for _, u := range []string{"http://a/", "http://b/"} {
		t.Run(u, func(t *testing.T) {
			c := &http.Client{Transport: &http.Transport{}} // want `an http.Client with a Transport of its own made per call \(in a subtest run per iteration of a loop\)`
			c.Get(u)
		})
		t.Run(u, func(t *testing.T) {
			t.Run("inner", func(t *testing.T) {
				c := resty.New() // want `a Resty client made per call \(in a subtest run per iteration of a loop\)`
				c.R().Get(u)
			})
		})
	}
}

// Released, a table's subtest leaves nothing behind.
func TestTableReleased(t *testing.T) { // want TestTableReleased:`keeps\(0\)`
	for _, u := range []string{"http://a/", "http://b/"} {
		t.Run(u, func(t *testing.T) {
			tr := &http.Transport{}
			t.Cleanup(tr.CloseIdleConnections)
			(&http.Client{Transport: tr}).Get(u)
		})
	}
}

// A func literal that is not a subtest's, or a Run that is not testing's,
// runs as often as its caller calls it.
type runner struct{}

func (runner) Run(name string, f func(t *testing.T)) bool { return true } // want Run:`keeps\(\)`

func TestNotSubtest(t *testing.T) { // want TestNotSubtest:`keeps\(0\)`
	var r runner
	r.Run("other", func(t *testing.T) {
		c := resty.New() // want `a Resty client made per call \(and dropped when the function returns\)`
		c.R().Get("http://localhost/")
	})
	f := func(t *testing.T) {
		c := resty.New() // want `a Resty client made per call \(and dropped when the function returns\)`
		c.R().Get("http://localhost/")
	}
	t.Run("value", f)
}

// A subtest of a helper runs as often as the helper is called.
func helper(t *testing.T, u string) {
	t.Run(u, func(t *testing.T) {
		c := resty.New() // want `a Resty client made per call \(and dropped when the function returns\)`
		c.R().Get(u)
	})
}
