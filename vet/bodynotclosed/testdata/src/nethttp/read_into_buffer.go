package nethttp

// A body read into a bytes.Buffer: its ReadFrom reads until a Read returns
// an error, io.EOF included, and io.Copy into it stops only there too, for
// a Buffer's Write does not fail. Either reads the body until a Read
// fails, and net/http's body holds no connection past that.

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
)

// text reads the reply into a Buffer with ReadFrom.
func text(c *http.Client, u string) (string, error) {
	resp, err := c.Get(u)
	if err != nil {
		return "", err
	}
	buf := new(bytes.Buffer)
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// copied copies the reply into a Buffer.
func copied(c *http.Client, u string) []byte {
	resp, err := c.Get(u)
	if err != nil {
		return nil
	}
	var buf bytes.Buffer
	io.Copy(&buf, resp.Body)
	return buf.Bytes()
}

// Near misses: still open.

// head reads the first n bytes alone.
func head(c *http.Client, u string, n int64) []byte {
	resp, err := c.Get(u) // want `response body never closed`
	if err != nil {
		return nil
	}
	var buf bytes.Buffer
	buf.ReadFrom(io.LimitReader(resp.Body, n))
	return buf.Bytes()
}

// buffered copies the reply into w, whose write may fail first.
func buffered(c *http.Client, u string, w *bufio.Writer) error {
	resp, err := c.Get(u) // want `response body never closed`
	if err != nil {
		return err
	}
	_, err = w.ReadFrom(resp.Body)
	return err
}
