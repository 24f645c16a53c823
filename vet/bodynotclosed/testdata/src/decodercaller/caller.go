// want package:"analyzed"

// Package decodercaller reads to their end bodies that package decoder
// may have replaced with decoders of them, told so by its facts: reading
// a decoder to its end does not free the body under it where the decoder
// stops before the body's end.
package decodercaller

import (
	"io"
	"net/http"

	"decoder"
)

// fetched reads the decoded body to its end, and never closes it.
func fetched(c *http.Client, u string) ([]byte, error) {
	body, err := decoder.Fetch(c, u) // want `response body never closed; reading it to its end does not free it`
	if err != nil {
		return nil, err
	}
	return io.ReadAll(body)
}

// inflated decodes the body, then hands it to decoder.Drain, which only
// reads it.
func inflated(c *http.Client, u string) error {
	resp, err := c.Get(u) // want `response body not closed on every path: open at the return on line 37; reading it to its end does not free it`
	if err != nil {
		return err
	}
	if err := decoder.Inflate(resp); err != nil {
		resp.Body.Close()
		return err
	}
	decoder.Drain(resp.Body)
	return nil
}

// Near misses.

// fetchedClosed closes the decoded body.
func fetchedClosed(c *http.Client, u string) ([]byte, error) {
	body, err := decoder.Fetch(c, u)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	return io.ReadAll(body)
}

// drained hands net/http's own body to decoder.Drain, which reads it to
// its end and so gives its connection back.
func drained(c *http.Client, u string) error {
	resp, err := c.Get(u)
	if err != nil {
		return err
	}
	decoder.Drain(resp.Body)
	return nil
}
