// Package testserver holds pools made in tests that talk to their own
// httptest.Server and close it: the server's Close ends every idle
// connection to it, so one pool a test makes keeps nothing past the test.
// Pools made per iteration of a loop, or per subtest run in one, pile up
// while the test runs, as connleaktest sees them: those are findings.
package testserver

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestOnePool(t *testing.T) { // want TestOnePool:`keeps\(0\)`
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	c := &http.Client{Transport: &http.Transport{}}
	for _, path := range []string{"/a", "/b"} {
		resp, err := c.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
}

func TestOnePoolPerCase(t *testing.T) { // want TestOnePoolPerCase:`keeps\(0\)`
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	for _, tc := range []struct{ run func() }{{func() {
		c := &http.Client{Transport: &http.Transport{}}
		resp, err := c.Get(srv.URL)
		if err == nil {
			resp.Body.Close()
		}
	}}} {
		tc.run()
	}
}

// Near misses: a pool per iteration or per subtest in a loop, the server
// left open, or the pool a helper's.

func TestPerIteration(t *testing.T) { // want TestPerIteration:`keeps\(0\)`
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	for _, path := range []string{"/a", "/b"} {
		c := &http.Client{Transport: &http.Transport{}} // want `made per call \(inside a loop\)`
		resp, err := c.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
}

func TestPerSubtest(t *testing.T) { // want TestPerSubtest:`keeps\(0\)`
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	for _, name := range []string{"a", "b"} {
		t.Run(name, func(t *testing.T) {
			c := &http.Client{Transport: &http.Transport{}} // want `made per call \(in a subtest run per iteration of a loop\)`
			resp, err := c.Get(srv.URL)
			if err == nil {
				resp.Body.Close()
			}
		})
	}
}

func TestServerLeftOpen(t *testing.T) { // want TestServerLeftOpen:`keeps\(\)`
	srv := httptest.NewServer(http.NotFoundHandler())
	for _, tc := range []struct{ run func() }{{func() {
		c := &http.Client{Transport: &http.Transport{}} // want `made per call \(and dropped when the function returns\)`
		resp, err := c.Get(srv.URL)
		if err == nil {
			resp.Body.Close()
		}
	}}} {
		tc.run()
	}
}

func get(url string) error {
	c := &http.Client{Transport: &http.Transport{}} // want `made per call \(and dropped when the function returns\)`
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func TestHelper(t *testing.T) { // want TestHelper:`keeps\(0\)`
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	if err := get(srv.URL); err != nil {
		t.Fatal(err)
	}
}
