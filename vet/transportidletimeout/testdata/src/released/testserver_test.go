package released

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
)

// A test's Transport that talks to the test's own httptest.Server, which
// the test closes: Close ends every idle connection to it, from the
// server's side, so nothing stays past the test.

func TestOwnServer(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	c := &http.Client{Transport: &http.Transport{}}
	resp, err := c.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

func TestOwnServerCleanup(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	t.Run("sub", func(t *testing.T) {
		tr := &http.Transport{}
		resp, err := (&http.Client{Transport: tr}).Get(srv.URL)
		if err == nil {
			resp.Body.Close()
		}
	})
}

// An http.Server the test closes, or shuts down, ends its connections too.
func TestOwnHTTPServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := http.Server{Handler: http.NotFoundHandler()} // a value: srv.Close is on its address
	go srv.Serve(ln)
	defer srv.Close()
	c := &http.Client{Transport: &http.Transport{}}
	resp, err := c.Get("http://" + ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

// Near misses: a Transport per iteration of a loop, which piles up idle
// connections while the test runs, a server that is no httptest.Server, or
// one left open, and a Transport of a helper function, not the test's.

func TestPerIteration(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	for _, path := range []string{"/a", "/b"} {
		t.Run(path, func(t *testing.T) {
			c := &http.Client{Transport: &http.Transport{}} // want `http.Transport without IdleConnTimeout`
			resp, err := c.Get(srv.URL + path)
			if err == nil {
				resp.Body.Close()
			}
		})
	}
}

func TestPlainServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go http.Serve(ln, http.NotFoundHandler())
	defer ln.Close()                                // the server's connections outlive its listener
	c := &http.Client{Transport: &http.Transport{}} // want `http.Transport without IdleConnTimeout`
	resp, err := c.Get("http://" + ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

func TestServerLeftOpen(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	c := &http.Client{Transport: &http.Transport{}} // want `http.Transport without IdleConnTimeout`
	resp, err := c.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

func get(url string) error {
	c := &http.Client{Transport: &http.Transport{}} // want `http.Transport without IdleConnTimeout`
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func TestHelper(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	if err := get(srv.URL); err != nil {
		t.Fatal(err)
	}
}
