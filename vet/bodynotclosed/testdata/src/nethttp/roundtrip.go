package nethttp

import "net/http"

// A RoundTripper's response is the caller's too.

func probe(t *http.Transport, req *http.Request) int {
	resp, err := t.RoundTrip(req) // want `response body never closed`
	if err != nil {
		return 0
	}
	return resp.StatusCode
}

func probeAny(rt http.RoundTripper, req *http.Request) int {
	resp, err := rt.RoundTrip(req) // want `response body never closed`
	if err != nil {
		return 0
	}
	return resp.StatusCode
}
