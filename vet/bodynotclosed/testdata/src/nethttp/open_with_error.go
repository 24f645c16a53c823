package nethttp

// A function that returns a body it opened together with an error that
// may not be nil: a redirect whose Location does not parse, a downgrade it
// refuses. net/http's contract lets a caller take an error for no body,
// and most do (`if err != nil { return err }`): the finding is at that
// function, once, and not at each of its callers. A function that passes
// on such a pair, from a call that returns one, is not reported for it:
// the call is.

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

var errDowngrade = errors.New("redirect would downgrade to http")

// follow makes the request and hands back a redirect's response to its
// caller, with an error where it cannot follow it.
func follow(c *http.Client, req *http.Request) (*http.Response, error) { // want follow:"^returns 0, open on error 0$"
	resp, err := c.Do(req) // want `response body returned open with an error at the return on line 30: a caller that checks the error drops it`
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusTemporaryRedirect {
		loc, err := resp.Location()
		if err != nil {
			return resp, err
		}
		if req.URL.Scheme == "https" && loc.Scheme != "https" {
			return resp, errDowngrade
		}
	}
	return resp, nil
}

// Near misses.

// followed passes follow's pair on as it came, its error wrapped or not.
func followed(c *http.Client, req *http.Request) (*http.Response, error) { // want followed:"^returns 0, open on error 0$"
	resp, err := follow(c, req)
	if err != nil {
		return resp, fmt.Errorf("followed: %w", err)
	}
	return resp, nil
}

// followedAs is followed without a check.
func followedAs(c *http.Client, req *http.Request) (*http.Response, error) { // want followedAs:"^returns 0, open on error 0$"
	return follow(c, req)
}

// followChecked returns follow's body only where follow's error is nil.
func followChecked(c *http.Client, req *http.Request) (*http.Response, error) { // want followChecked:"^returns 0$"
	resp, err := follow(c, req)
	if err != nil {
		return nil, err
	}
	return resp, err
}

// followStatus drops follow's pair on its error, as its contract lets it,
// and closes the body it has.
func followStatus(c *http.Client, req *http.Request) (int, error) {
	resp, err := follow(c, req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return resp.StatusCode, nil
}

// withStatus returns the response with the error of a status it does not
// expect, where the error is nil: its callers close the body.
func withStatus(c *http.Client, req *http.Request) (*http.Response, error) { // want withStatus:"^returns 0$"
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	var bad error
	if resp.StatusCode >= 500 {
		resp.Body.Close()
		return nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	return resp, bad
}

// tracing picks one of two transports and returns the pair it returns,
// which has no body with an error; the deferred function reads err.
type tracing struct {
	rt     http.RoundTripper
	failed int
}

func (t *tracing) RoundTrip(req *http.Request) (*http.Response, error) { // want RoundTrip:"^returns 0$"
	var (
		resp *http.Response
		err  error
	)
	defer func() {
		if err != nil {
			t.failed++
		}
	}()
	if t.rt != nil {
		resp, err = t.rt.RoundTrip(req)
	} else {
		resp, err = http.DefaultTransport.RoundTrip(req)
	}
	return resp, err
}

// get is tracing's RoundTrip with the error noted before the return.
func (t *tracing) get(req *http.Request) (*http.Response, error) { // want get:"^returns 0$"
	var resp *http.Response
	var err error
	if t.rt != nil {
		resp, err = t.rt.RoundTrip(req)
	} else {
		resp, err = http.DefaultTransport.RoundTrip(req)
	}
	if err != nil {
		t.failed++
	}
	return resp, err
}

// unwrapped returns the error of a failed call unwrapped: an error that
// is a *url.Error is not nil, so the call failed there, with no body.
func unwrapped(c *http.Client, req *http.Request) (*http.Response, error) { // want unwrapped:"^returns 0$"
	resp, err := c.Do(req)
	if _, ok := err.(*url.Error); ok {
		return resp, errors.Unwrap(err)
	}
	return resp, err
}
