// want package:"analyzed"

// Package doer calls net/http through an interface of its own of
// Client.Do's shape, Doer, which net/http's *http.Client implements
// (http.DefaultClient is one), and so do the package's wrappers: one that
// sets a header and calls the Doer it wraps, one that embeds a Client.
// Every implementation outside the tests returns an open body, so a call
// of Doer.Do opens one. A mock in a test file counts for the test files
// alone.
package doer

import (
	"errors"
	"net/http"
)

// Doer is what the package calls.
type Doer interface {
	Do(*http.Request) (*http.Response, error) // want Do:"returns 0"
}

var defaultDoer Doer = http.DefaultClient

// headerDoer sets a header, and calls the Doer it wraps: it implements
// Doer with a call of Doer.Do.
type headerDoer struct {
	next       Doer
	key, value string
}

func (d headerDoer) Do(req *http.Request) (*http.Response, error) { // want Do:"returns 0"
	req.Header.Set(d.key, d.value)
	return d.next.Do(req)
}

// tokenClient is a Client with a token: its Do is the Client's.
type tokenClient struct {
	*http.Client
	token string
}

// API calls the server through its Doer.
type API struct{ hc Doer }

func status(d Doer, req *http.Request) (int, error) {
	resp, err := d.Do(req) // want `response body never closed`
	if err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

func (a *API) create(req *http.Request) error {
	resp, err := a.hc.Do(req) // want `response body not closed on every path: open at the return on line 59`
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusCreated {
		return errors.New(resp.Status)
	}
	return resp.Body.Close()
}

// Near misses.

func (a *API) createClosing(req *http.Request) error {
	resp, err := a.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return errors.New(resp.Status)
	}
	return nil
}

// do returns the response: its callers close the body.
func (a *API) do(req *http.Request) (*http.Response, error) { // want do:"returns 0"
	return a.hc.Do(req)
}
