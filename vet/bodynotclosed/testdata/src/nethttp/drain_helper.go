package nethttp

import (
	"errors"
	"io"
	"net/http"
)

// replyError reads the body of an error reply for its message, and leaves
// any other reply's body alone: it takes the body off its caller where it
// returns an error, and not where it returns nil.
func replyError(resp *http.Response) error { // want replyError:"keeps 0, leaves 0 on success"
	if resp.StatusCode < 300 {
		return nil
	}
	msg, _ := io.ReadAll(resp.Body)
	return errors.New(string(msg))
}

// call returns the response of a good reply: replyError has read the body
// of a bad one to its end.
func call(c *http.Client, req *http.Request) (*http.Response, error) { // want call:"returns 0"
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	if err := replyError(resp); err != nil {
		return nil, err
	}
	return resp, nil
}

// check leaves the body of a good reply open: replyError reads only a bad
// one's.
func check(c *http.Client, req *http.Request) error {
	resp, err := c.Do(req) // want `response body not closed on every path: open at the return on line 43`
	if err != nil {
		return err
	}
	if err := replyError(resp); err != nil {
		return err
	}
	return nil
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
