// want package:"analyzed"

// Package fix holds the one shape -fix closes, and shapes it leaves.
package fix

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

func fetch(c *http.Client, req *http.Request) (int, error) {
	resp, err := c.Do(req) // want `response body never closed`
	if err != nil {
		return 0, fmt.Errorf("fetch: %w", err)
	}
	return resp.StatusCode, nil
}

func literal(u string) func() error {
	return func() error {
		resp, err := http.Get(u) // want `response body never closed`
		if err != nil {
			return err
		}
		_ = resp.Header
		return nil
	}
}

// No fix: in a loop, a defer would pile up.
func loop(c *http.Client, reqs []*http.Request) {
	for _, req := range reqs {
		resp, err := c.Do(req) // want `response body never closed`
		if err != nil {
			return
		}
		_ = resp
	}
}

// No fix: closed on one path, and the fix would close it twice.
func onePath(c *http.Client, req *http.Request) error {
	resp, err := c.Do(req) // want `response body not closed on every path`
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return resp.Body.Close()
	}
	return nil
}

// No fix: the error check is not next.
func later(c *http.Client, req *http.Request) error {
	resp, err := c.Do(req) // want `response body never closed`
	fmt.Println(err)
	if err != nil {
		return err
	}
	_ = resp
	return nil
}

// open returns the body alone, open.
func open(u string) (io.ReadCloser, error) { // want open:"returns 0"
	resp, err := http.Get(u)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// A body returned alone is closed as it is.
func alone(u string, v any) error {
	body, err := open(u) // want `response body never closed`
	if err != nil {
		return err
	}
	return json.NewDecoder(body).Decode(v)
}

// apiResponse holds net/http's response in a field of its own name.
type apiResponse struct{ HTTP *http.Response }

// call returns the response in it, open.
func call(c *http.Client, req *http.Request) (*apiResponse, error) { // want call:"returns 0"
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	return &apiResponse{HTTP: resp}, nil
}

// A response held in a field is closed through it.
func held(c *http.Client, req *http.Request) (int, error) {
	r, err := call(c, req) // want `response body never closed`
	if err != nil {
		return 0, err
	}
	return r.HTTP.StatusCode, nil
}
