package nethttp

// A retry loop that goes round again on a predicate of the error alone,
// `if isTransient(err) { continue }`: the predicate is true only where the
// call failed, and a call that returns no body with an error (net/http's
// Client.Do, and store.run, which wraps it) has none to close there. A
// wrapper that returns the response with an error (a redirect it refuses,
// a digest transport's second try) is reported where it does so: its
// callers, as net/http's contract lets them, take the error for no body.

import (
	"errors"
	"fmt"
	"net/http"
)

var errTransient = errors.New("transient")

func isTransient(err error) bool { return errors.Is(err, errTransient) }

type store struct{ hc *http.Client }

// run returns Do's response, or an error alone.
func (s *store) run(req *http.Request) (*http.Response, error) { // want run:"returns 0"
	resp, err := s.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("run: %w", err)
	}
	return resp, nil
}

// stat goes round again while the error is transient.
func (s *store) stat(req *http.Request) (int, error) {
	for {
		resp, err := s.run(req)
		if isTransient(err) {
			continue
		}
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
}

// statDo is stat on Do itself.
func (s *store) statDo(req *http.Request) (int, error) {
	for {
		resp, err := s.hc.Do(req)
		if isTransient(err) {
			continue
		}
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
}

// Near misses.

func isRetryable(resp *http.Response, err error) bool {
	return err != nil || resp.StatusCode >= 500
}

// statStatus retries on a 5xx reply too, and drops its body.
func (s *store) statStatus(req *http.Request) (int, error) {
	for {
		resp, err := s.run(req) // want `response body not closed on every path: the loop's next call drops it`
		if isRetryable(resp, err) {
			continue
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
}

var errRedirect = errors.New("redirect refused")

// checkedDo returns the response with an error where it refuses its
// redirect, as Client.Do's CheckRedirect does not: its body is open.
func (s *store) checkedDo(req *http.Request) (*http.Response, error) { // want checkedDo:"returns 0, open on error 0"
	resp, err := s.hc.Do(req) // want `response body returned open with an error at the return on line 90: a caller that checks the error drops it`
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 == 3 {
		return resp, errRedirect
	}
	return resp, nil
}

// statChecked takes checkedDo's error for no body, as its contract lets
// it: checkedDo is reported.
func (s *store) statChecked(req *http.Request) (int, error) {
	resp, err := s.checkedDo(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return resp.StatusCode, nil
}

// statCheckedRetry goes round again on checkedDo's error, which its
// contract says comes with no body.
func (s *store) statCheckedRetry(req *http.Request) (int, error) {
	for {
		resp, err := s.checkedDo(req)
		if isTransient(err) {
			continue
		}
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
}

// statCheckedClosing closes the body on every path.
func (s *store) statCheckedClosing(req *http.Request) (int, error) {
	resp, err := s.checkedDo(req)
	if resp != nil {
		defer resp.Body.Close()
	}
	if err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}
