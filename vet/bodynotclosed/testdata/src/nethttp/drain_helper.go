package nethttp

import (
	"errors"
	"io"
	"net/http"
)

// replyError reads the body of an error reply for its message, and leaves
// any other reply's body alone: it does not take the body off its caller.
func replyError(resp *http.Response) error {
	if resp.StatusCode < 300 {
		return nil
	}
	msg, _ := io.ReadAll(resp.Body)
	return errors.New(string(msg))
}

// call returns the response of a good reply, and leaves the body of a bad
// one open: replyError does not close it on every path.
func call(c *http.Client, req *http.Request) (*http.Response, error) { // want call:"returns 0"
	resp, err := c.Do(req) // want `response body not closed on every path: open at the return on line 27`
	if err != nil {
		return nil, err
	}
	if err := replyError(resp); err != nil {
		return nil, err
	}
	return resp, nil
}

// drainAll reads the body to its end on every path.
func drainAll(resp *http.Response) { // want drainAll:"keeps 0"
	io.Copy(io.Discard, resp.Body)
}

func status(c *http.Client, u string) (int, error) {
	resp, err := c.Get(u)
	if err != nil {
		return 0, err
	}
	drainAll(resp)
	return resp.StatusCode, nil
}
