// Package nethttp holds net/http's response bodies, one file per pattern.
package nethttp

import "net/http"

// ping drops the response, and its body with it.
func ping(u string) error {
	_, err := http.Get(u) // want `response body never closed: the response is dropped \[body-not-closed\]`
	return err
}

// exists drops a POST's response: its body must be closed too.
func exists(c *http.Client, u string) bool {
	_, err := c.Post(u, "text/plain", nil) // want `response body never closed: the response is dropped`
	return err == nil
}
