package nethttp

// A check of the module's handed the response and the error of one call,
// `return a.check(resp, err)` or `a.check(a.hc.Get(u))`: it returns at
// once on an error, where there is no body, closes a bad reply's body and
// returns a good one's, so its call opens a body for its caller. A helper
// that decodes the body it is handed with its error, and returns at once
// on the error, closes the body wherever there is one.

import (
	"encoding/json"
	"errors"
	"net/http"
)

type pairAPI struct{ hc *http.Client }

// check closes a bad reply's body, and passes a good one's on.
func (a *pairAPI) check(resp *http.Response, err error) (*http.Response, error) { // want check:"pair 1 kept, passes in 0"
	if err != nil {
		return resp, err
	}
	if resp.StatusCode > 299 {
		resp.Body.Close()
		return resp, errors.New(resp.Status)
	}
	return resp, nil
}

// post returns the good reply open: its callers close the body.
func (a *pairAPI) post(u string) (*http.Response, error) { // want post:"returns 0"
	resp, err := a.hc.Post(u, "application/json", nil)
	return a.check(resp, err)
}

func (a *pairAPI) notify(u string) error {
	_, err := a.post(u) // want `response body never closed: the response is dropped`
	return err
}

func (a *pairAPI) created(u string) (int, error) {
	resp, err := a.check(a.hc.Get(u)) // want `response body never closed`
	if err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

// Near misses.

// decodePair returns at once on an error, with no body to close, and
// closes the body it decodes.
func decodePair(resp *http.Response, err error, v any) error { // want decodePair:"keeps 0, leaves 0 on error, pair 0 kept"
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

func (a *pairAPI) name(u string) (string, error) {
	var name string
	resp, err := a.hc.Get(u)
	return name, decodePair(resp, err, &name)
}

func (a *pairAPI) notifyClosing(u string) error {
	resp, err := a.post(u)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
