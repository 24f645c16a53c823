package nethttp

import (
	"errors"
	"io"
	"net/http"
)

// A response of the module's that holds net/http's in a field of its own
// name, made where the response is, carries its body as one that embeds
// it does: closing r.Raw.Body closes it, and returning it returns the body.

type rawResponse struct {
	Raw  *http.Response
	body []byte
}

// checkStatus only reads the response it is given.
func checkStatus(r *rawResponse) error {
	if r.Raw.StatusCode >= 500 {
		return errors.New(r.Raw.Status)
	}
	return nil
}

// execute leaves the body open where it is asked to keep it raw, and then
// returns it with the error of a check that fails: its caller takes the
// error for no body.
func execute(c *http.Client, req *http.Request, raw bool) (*rawResponse, error) { // want execute:"returns 0"
	resp, err := c.Do(req) // want `response body returned open with an error at the return on line 42`
	r := &rawResponse{Raw: resp}
	if err != nil {
		return r, err
	}
	if !raw {
		defer resp.Body.Close()
		if r.body, err = io.ReadAll(resp.Body); err != nil {
			return r, err
		}
	}
	if err := checkStatus(r); err != nil {
		return r, err
	}
	return r, nil
}

// executeRaw closes the raw body it is handed.
func executeRaw(c *http.Client, req *http.Request) (int, error) {
	r, err := execute(c, req, true)
	if err != nil {
		return 0, err
	}
	defer r.Raw.Body.Close()
	return r.Raw.StatusCode, nil
}

// executeDropped drops it.
func executeDropped(c *http.Client, req *http.Request) (int, error) {
	r, err := execute(c, req, true) // want `response body never closed`
	if err != nil {
		return 0, err
	}
	return r.Raw.StatusCode, nil
}
