// want package:"analyzed"

// Package helper opens bodies for its callers, and closes what it is given:
// its facts carry both to package caller.
package helper

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"

	"github.com/go-resty/resty/v2"
)

type Client struct{ hc *http.Client }

// run returns the open response: its caller closes the body.
func (c *Client) run(req *http.Request) (*http.Response, error) { // want run:"returns 0"
	return c.hc.Do(req)
}

// PostJSON wraps run.
func (c *Client) PostJSON(u string, v any) (*http.Response, error) { // want PostJSON:"returns 0"
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, u, bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return c.run(req)
}

// Raw returns a Resty response whose raw body is the caller's.
func Raw(c *resty.Client, u string) (*resty.Response, error) { // want Raw:"returns 0"
	return c.R().SetDoNotParseResponse(true).Get(u)
}

// Drain reads the body to the end and closes it.
func Drain(resp *http.Response) { // want Drain:"keeps 0"
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

// CloseBody closes what it is given.
func CloseBody(c io.Closer) { // want CloseBody:"keeps 0"
	c.Close()
}

// Status only reads the response.
func Status(resp *http.Response) string { return resp.Status }

// ReadAll reads the body to the end, where its connection is released.
func ReadAll(rc io.ReadCloser) ([]byte, error) { return io.ReadAll(rc) } // want ReadAll:"keeps 0"

// Decode reads one value of the body, and leaves it open.
func Decode(rc io.ReadCloser, v any) error { return json.NewDecoder(rc).Decode(v) }
