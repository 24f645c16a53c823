package nethttp

// A check that closes the body of a reply of a status it does not expect,
// and returns the error of a helper of its own that does so: its error is
// the helper's, so it closes where it returns an error, as the helper
// does, and its caller still owns the body of a good reply.

import (
	"fmt"
	"io"
	"net/http"
	"strings"
)

// statusError closes the body of an unexpected reply and says so.
func statusError(resp *http.Response) error { // want statusError:"keeps 0"
	defer resp.Body.Close()
	return fmt.Errorf("unexpected status %d", resp.StatusCode)
}

// requireCodes closes the body of a reply whose status is none of codes.
func requireCodes(resp *http.Response, codes ...int) error { // want requireCodes:"keeps 0, leaves 0 on success"
	for _, code := range codes {
		if resp.StatusCode == code {
			return nil
		}
	}
	return statusError(resp)
}

// requireOK closes the body of a reply that is not a 200: it returns the
// error of requireCodes, which does.
func requireOK(resp *http.Response) error { // want requireOK:"keeps 0, leaves 0 on success"
	return requireCodes(resp, http.StatusOK)
}

// restore sends a snapshot and drops the 200 reply with its body open.
func restore(c *http.Client, u string, snap io.Reader) error {
	resp, err := c.Post(u, "application/octet-stream", snap) // want `response body not closed on every path: open at the return on line 46`
	if err != nil {
		return err
	}
	if err := requireOK(resp); err != nil {
		return err
	}
	return nil
}

// Near misses.

// destroy closes the body of the 200 reply; requireOK closed any other.
func destroy(c *http.Client, u string) error {
	resp, err := c.Post(u, "text/plain", strings.NewReader("{}"))
	if err != nil {
		return err
	}
	if err := requireOK(resp); err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

// fetchOK returns the body of the 200 reply to its caller.
func fetchOK(c *http.Client, u string) (io.ReadCloser, error) { // want fetchOK:"returns 0"
	resp, err := c.Get(u)
	if err != nil {
		return nil, err
	}
	if err := requireOK(resp); err != nil {
		return nil, err
	}
	return resp.Body, nil
}
