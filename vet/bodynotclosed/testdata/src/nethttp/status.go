package nethttp

import (
	"fmt"
	"io"
	"net/http"
)

// fetch returns on a non-200 status before the close, which is not
// deferred: closed only on the success path.
func fetch(c *http.Client, req *http.Request) ([]byte, error) {
	resp, err := c.Do(req) // want `response body not closed on every path: open at the return on line 17`
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %s", resp.Status)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	return b, err
}

// fetchDeferred is the fix: the deferred close runs on every path.
func fetchDeferred(c *http.Client, req *http.Request) ([]byte, error) {
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %s", resp.Status)
	}
	return io.ReadAll(resp.Body)
}
