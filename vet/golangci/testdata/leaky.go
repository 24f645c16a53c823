// Package leaky is a small program with one finding of each of connleak's
// checks: a comment "finding: <check>" ends the line of each. The test of
// the golangci-lint plugin runs the linter on it and expects exactly those.
package leaky

import (
	"net/http"

	"github.com/go-resty/resty/v2"
)

// shared is made once, but keeps every idle connection for ever.
var shared = &http.Transport{} // finding: transport-idle-timeout

// Fetch makes a Resty client, a connection pool, for each call.
func Fetch(url string) (int, error) {
	c := resty.New() // finding: client-per-call
	resp, err := c.R().Get(url)
	if err != nil {
		return 0, err
	}
	return resp.StatusCode(), nil
}

// Serve serves with no timeouts.
func Serve(h http.Handler) error {
	return http.ListenAndServe("127.0.0.1:0", h) // finding: server-idle-timeout
}

var client = resty.New()

// Peek takes the raw body and never closes it.
func Peek(url string) (int, error) {
	resp, err := client.R().SetDoNotParseResponse(true).Get(url) // finding: body-not-closed
	if err != nil {
		return 0, err
	}
	return resp.StatusCode(), nil
}

// Client shares the Transport.
func Client() *http.Client { return &http.Client{Transport: shared} }
