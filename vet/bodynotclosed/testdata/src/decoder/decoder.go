// want package:"analyzed"

// Package decoder replaces the body of a compressed reply with a decoder
// of it, returns such a body, and reads what it is given to its end: its
// facts tell package decodercaller so.
package decoder

import (
	"compress/gzip"
	"io"
	"net/http"
)

// gzipBody reads a gzip stream, and closes the body under it.
type gzipBody struct {
	zr   *gzip.Reader
	body io.ReadCloser
}

func (g *gzipBody) Read(p []byte) (int, error) { return g.zr.Read(p) }
func (g *gzipBody) Close() error               { return g.body.Close() }

// Inflate replaces the body of resp with a decoder of it.
func Inflate(resp *http.Response) error { // want Inflate:"^rewraps 0$"
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		return err
	}
	resp.Body = &gzipBody{zr: zr, body: resp.Body}
	return nil
}

// Fetch returns the decoded body of the reply to a GET of u.
func Fetch(c *http.Client, u string) (io.ReadCloser, error) { // want Fetch:"^returns 0, wrapped 0$"
	resp, err := c.Get(u)
	if err != nil {
		return nil, err
	}
	if err := Inflate(resp); err != nil {
		resp.Body.Close()
		return nil, err
	}
	return resp.Body, nil
}

// Drain reads what it is given to its end.
func Drain(rc io.ReadCloser) { // want Drain:"^keeps 0, reads 0$"
	io.Copy(io.Discard, rc)
}
