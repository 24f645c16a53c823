// want package:"analyzed"

// Package apiclient calls net/http through interfaces of its own: a call
// of an interface method returns an open body where every implementation
// the package can see does. A mock in a test file counts only for the
// calls in test files, which may be handed it; an implementation that
// makes its response up, outside the tests, makes the method no source.
package apiclient

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
)

// API is what the package's code calls; Client is its one implementation
// outside the tests, and mockAPI, in a test file, another.
type API interface {
	Get(url string) (*http.Response, error) // want Get:"returns 0"
}

// Client calls the server.
type Client struct{ hc *http.Client }

func (c *Client) Get(url string) (*http.Response, error) { // want Get:"returns 0"
	return c.hc.Get(url)
}

func exists(api API, url string) bool {
	resp, err := api.Get(url) // want `response body never closed`
	if err != nil {
		return false
	}
	return resp.StatusCode == http.StatusOK
}

// Near misses.

func existsClosing(api API, url string) bool {
	resp, err := api.Get(url)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// Fetcher has an implementation that calls the server and two that make
// their responses up: its calls are no sources.
type Fetcher interface {
	Fetch(url string) (*http.Response, error)
}

type httpFetcher struct{ hc *http.Client }

func (f httpFetcher) Fetch(url string) (*http.Response, error) { // want Fetch:"returns 0"
	return f.hc.Get(url)
}

type cannedFetcher struct{ body string }

func (f cannedFetcher) Fetch(string) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(strings.NewReader(f.body))}, nil
}

type handlerFetcher struct{ h http.Handler }

func (f handlerFetcher) Fetch(url string) (*http.Response, error) {
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, url, nil))
	return rec.Result(), nil
}

func fetchStatus(f Fetcher, url string) int {
	resp, err := f.Fetch(url)
	if err != nil {
		return 0
	}
	return resp.StatusCode
}

// Lister has no implementation the package can see: its calls are no
// sources.
type Lister interface {
	List(url string) (*http.Response, error)
}

func listStatus(l Lister, url string) int {
	resp, err := l.List(url)
	if err != nil {
		return 0
	}
	return resp.StatusCode
}
