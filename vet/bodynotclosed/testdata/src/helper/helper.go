// want package:"analyzed"

// Package helper opens bodies for its callers, and closes what it is given:
// its facts carry both to package caller.
package helper

import (
	"bytes"
	"encoding/json"
	"errors"
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

// GetText reads the reply and returns it with its response, whose body it
// has closed by then: it returns no open body (no fact).
func GetText(c *http.Client, u string) (*http.Response, string, error) {
	resp, err := c.Get(u)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, "", err
	}
	return resp, string(b), nil
}

// GetStatus closes the body before it returns the response.
func GetStatus(c *http.Client, u string) (*http.Response, error) {
	resp, err := c.Get(u)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	return resp, nil
}

// GetMaybe closes the body on one path only: it returns it open on the
// other.
func GetMaybe(c *http.Client, u string, keep bool) (*http.Response, error) { // want GetMaybe:"returns 0"
	resp, err := c.Get(u)
	if err != nil {
		return nil, err
	}
	if !keep {
		resp.Body.Close()
	}
	return resp, nil
}

// CheckedGet shows the response to a callback, then returns it open: its
// callers close the body, but where their callback closes or keeps it.
func CheckedGet(c *http.Client, u string, check func(*http.Response) bool) (*http.Response, error) { // want CheckedGet:"^returns 0, shows 2$"
	resp, err := c.Get(u)
	if err != nil {
		return nil, err
	}
	if !check(resp) {
		return nil, nil
	}
	return resp, nil
}

// GetChecked returns the response with an error where the reply is a
// redirect: the body is open on its error path too, and its callers take
// the error for no body.
func GetChecked(c *http.Client, u string) (*http.Response, error) { // want GetChecked:"returns 0, open on error 0"
	resp, err := c.Get(u) // want `response body returned open with an error at the return on line 122: a caller that checks the error drops it`
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 == 3 {
		return resp, errors.New("redirect")
	}
	return resp, nil
}

// Fetch calls the server; package caller calls it through an interface of
// its own.
func (c *Client) Fetch(u string) (*http.Response, error) { // want Fetch:"returns 0"
	return c.hc.Get(u)
}

// Check closes a bad reply's body and returns a good one's, handed a
// call's response and error; package caller hands it c.Get(u).
func Check(resp *http.Response, err error) (*http.Response, error) { // want Check:"pair 0 kept, passes in 0"
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, errors.New(resp.Status)
	}
	return resp, nil
}
