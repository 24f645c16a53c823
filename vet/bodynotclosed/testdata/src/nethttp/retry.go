package nethttp

import (
	"net/http"
	"time"
)

// retry overwrites the last response with the next one without closing it.
func retry(c *http.Client, u string) (*http.Response, error) { // want retry:"returns 0"
	var resp *http.Response
	var err error
	for range 3 {
		resp, err = c.Get(u) // want `response body not closed on every path: the loop's next call drops it`
		if err == nil && resp.StatusCode < 500 {
			return resp, nil
		}
		time.Sleep(time.Millisecond)
	}
	return nil, err
}

// retryClosing closes each response it does not keep.
func retryClosing(c *http.Client, u string) (*http.Response, error) { // want retryClosing:"returns 0"
	var err error
	for range 3 {
		resp, err := c.Get(u)
		if err != nil {
			continue
		}
		if resp.StatusCode < 500 {
			return resp, nil
		}
		resp.Body.Close()
	}
	return nil, err
}
