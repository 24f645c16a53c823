package nethttp

// A RoundTripper that hands back what a retrying client returns, where the
// client gives its last response to a handler that may hand it back with
// an error: the RoundTripper then returns the body open with an error,
// which its contract forbids, and net/http's Client, its caller, ignores
// the response and drops it.

import "net/http"

type retrier struct {
	hc *http.Client
	// giveUp is given the last response; it may return it, with an error.
	giveUp func(*http.Response, error) (*http.Response, error)
}

// do tries once, and hands a failure to giveUp.
func (r *retrier) do(req *http.Request) (*http.Response, error) { // want do:"^returns 0, open on error 0$"
	resp, err := r.hc.Do(req)
	if err == nil && resp.StatusCode < http.StatusInternalServerError {
		return resp, nil
	}
	return r.giveUp(resp, err)
}

type retryTransport struct{ r *retrier }

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) { // want RoundTrip:"^returns 0, open on error 0$"
	resp, err := t.r.do(req) // want `response body returned open with an error at the return on line 30: a RoundTripper's caller, net/http's Client among them, drops it`
	return resp, err
}

// Near misses.

// get passes do's pair on: its callers take the error for no body, as
// net/http's contract lets them, and do's pair is do's.
func (r *retrier) get(u string) (*http.Response, error) { // want get:"^returns 0, open on error 0$"
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	return r.do(req)
}

// closingTransport closes the body that do hands back with an error.
type closingTransport struct{ r *retrier }

func (t *closingTransport) RoundTrip(req *http.Request) (*http.Response, error) { // want RoundTrip:"^returns 0$"
	resp, err := t.r.do(req)
	if err != nil {
		if resp != nil {
			resp.Body.Close()
		}
		return nil, err
	}
	return resp, nil
}
