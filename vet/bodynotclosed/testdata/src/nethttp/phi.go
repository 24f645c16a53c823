package nethttp

import "net/http"

// Two calls on two branches, one error check after them: in SSA resp and
// err are phis, and on each edge err is the error of the call on that edge.

// roundTripEither returns nil when the RoundTrip of either branch fails:
// neither body is there to close.
func roundTripEither(c *http.Client, req *http.Request) (*http.Response, error) { // want roundTripEither:"returns 0"
	var resp *http.Response
	var err error
	if c.Transport == nil {
		resp, err = http.DefaultTransport.RoundTrip(req)
	} else {
		resp, err = c.Transport.RoundTrip(req)
	}
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// getEither checks err == nil after the branches, and closes.
func getEither(c *http.Client, u string, head bool) int {
	var resp *http.Response
	var err error
	if head {
		resp, err = c.Head(u)
	} else {
		resp, err = c.Get(u)
	}
	if err == nil {
		defer resp.Body.Close()
		return resp.StatusCode
	}
	return 0
}

// secondErr checks the error of the second call only: the first body is
// open where the second call fails.
func secondErr(c *http.Client, u string, again bool) error {
	resp, err := c.Get(u) // want `response body not closed on every path: open at the return on line 51`
	if err != nil {
		return err
	}
	if again {
		_, err = c.Post(u, "text/plain", nil) // want `response body never closed: the response is dropped`
	}
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
