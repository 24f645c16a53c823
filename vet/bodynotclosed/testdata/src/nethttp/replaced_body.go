package nethttp

// A response whose Body is replaced by a wrapper of its own body, a reader
// with an idle timeout: `resp.Body = newIdleReader(resp.Body, d)`. The
// wrapper holds the body, and closes it when it is closed: the response
// still holds it open, and a function that returns the response returns
// an open body.

import (
	"bytes"
	"io"
	"net/http"
	"time"
)

type idleReader struct {
	rc   io.ReadCloser
	idle time.Duration
}

// newIdleReader holds rc in the reader it returns.
func newIdleReader(rc io.ReadCloser, idle time.Duration) *idleReader { // want newIdleReader:"^keeps 0, wraps 0$"
	return &idleReader{rc: rc, idle: idle}
}

func (r *idleReader) Read(p []byte) (int, error) { return r.rc.Read(p) }
func (r *idleReader) Close() error               { return r.rc.Close() }

type conn struct {
	hc   *http.Client
	idle time.Duration
}

// open returns the response with its body wrapped.
func (c *conn) open(u string) (*http.Response, error) { // want open:"^returns 0, wrapped 0$"
	resp, err := c.hc.Get(u)
	if err != nil {
		return nil, err
	}
	resp.Body = newIdleReader(resp.Body, c.idle)
	return resp, nil
}

// remove drops the response open returns.
func (c *conn) remove(u string) error {
	_, err := c.open(u) // want `response body never closed: the response is dropped`
	return err
}

// Near misses.

func (c *conn) fetch(u string) ([]byte, error) {
	resp, err := c.open(u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// bufferBody reads the body to its end and closes it: what it returns
// holds no connection.
func bufferBody(rc io.ReadCloser) io.ReadCloser { // want bufferBody:"^keeps 0$"
	defer rc.Close()
	b, _ := io.ReadAll(rc)
	return io.NopCloser(bytes.NewReader(b))
}

func (c *conn) openBuffered(u string) (*http.Response, error) {
	resp, err := c.hc.Get(u)
	if err != nil {
		return nil, err
	}
	resp.Body = bufferBody(resp.Body)
	return resp, nil
}

func (c *conn) removeBuffered(u string) error {
	_, err := c.openBuffered(u)
	return err
}
