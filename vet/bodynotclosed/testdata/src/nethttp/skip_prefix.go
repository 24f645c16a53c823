package nethttp

// A range emulated where the server sends the whole body: the first bytes
// are skipped with io.Copy(io.Discard, io.LimitReader(body, n)). Where the
// copy fails, a Read of the body failed, and net/http has closed its
// connection: the body holds nothing there. Where it succeeds, the body is
// read up to n bytes only, and still open.

import (
	"fmt"
	"io"
	"net/http"
)

// tail returns the body past its first n bytes.
func tail(c *http.Client, u string, n int64) (io.ReadCloser, error) { // want tail:"^returns 0$"
	resp, err := c.Get(u)
	if err != nil {
		return nil, err
	}
	if _, err := io.Copy(io.Discard, io.LimitReader(resp.Body, n)); err != nil {
		return nil, fmt.Errorf("skip: %w", err)
	}
	return resp.Body, nil
}

// skipOnly skips the first n bytes and drops the rest unread.
func skipOnly(c *http.Client, u string, n int64) error {
	resp, err := c.Get(u) // want `response body not closed on every path: open at the return on line 36`
	if err != nil {
		return err
	}
	if _, err := io.Copy(io.Discard, io.LimitReader(resp.Body, n)); err != nil {
		return err
	}
	return nil
}

// skipToWriter copies the first n bytes to w, whose write may fail with
// the body unread.
func skipToWriter(c *http.Client, u string, n int64, w io.Writer) (io.ReadCloser, error) { // want skipToWriter:"^returns 0$"
	resp, err := c.Get(u) // want `response body not closed on every path: open at the return on line 47`
	if err != nil {
		return nil, err
	}
	if _, err := io.Copy(w, io.LimitReader(resp.Body, n)); err != nil {
		return nil, err
	}
	return resp.Body, nil
}
