package nethttp // want package:"analyzed"

import (
	"io"
	"net/http"
)

// The body closed by a function literal that takes it as an io.Closer
// (bodyclose #18), or as an io.ReadCloser in a deferred call (#49, #60).

func closerParam(u string) {
	res, _ := http.Get(u)
	resCloser := func(c io.Closer) {
		c.Close()
	}
	resCloser(res.Body)
}

func deferredParam(c *http.Client, req *http.Request) error {
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer func(b io.ReadCloser) {
		_ = b.Close()
	}(resp.Body)
	return nil
}
