// Package testserver holds pools made per call in tests that talk to
// their own httptest.Server and close it: the server's Close ends every
// idle connection to it, so nothing stays past the test.
package testserver

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestPerCase(t *testing.T) { // want TestPerCase:`keeps\(0\)`
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	for _, path := range []string{"/a", "/b"} {
		c := &http.Client{Transport: &http.Transport{}}
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
			c := &http.Client{Transport: &http.Transport{}}
			resp, err := c.Get(srv.URL)
			if err == nil {
				resp.Body.Close()
			}
		})
	}
}

// Near misses: the server is left open, or the pool is a helper's.

func TestServerLeftOpen(t *testing.T) { // want TestServerLeftOpen:`keeps\(0\)`
	srv := httptest.NewServer(http.NotFoundHandler())
	for range 2 {
		c := &http.Client{Transport: &http.Transport{}} // want `made per call \(inside a loop\)`
		resp, err := c.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
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
