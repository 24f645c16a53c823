package nethttp

import "net/http"

// A func value of RoundTrip's shape, func(*http.Request)
// (*http.Response, error), hands its caller an open body, as Client.Do does.

type handler func(*http.Request) (*http.Response, error)

// retryHandler overwrites the last response with the next one without
// closing it.
func retryHandler(next handler, req *http.Request) (*http.Response, error) { // want retryHandler:"returns 0"
	var res *http.Response
	var err error
	for i := 0; i < 3; i++ {
		res, err = next(req) // want `response body not closed on every path: the loop's next call drops it`
		if err == nil && res.StatusCode < 500 {
			break
		}
	}
	return res, err
}

func statusOf(do func(*http.Request) (*http.Response, error), req *http.Request) int {
	resp, err := do(req) // want `response body never closed`
	if err != nil {
		return 0
	}
	return resp.StatusCode
}

// Near misses: closed, handed back, or of another shape.
func closes(do handler, req *http.Request) error {
	resp, err := do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func passes(do handler, req *http.Request) (*http.Response, error) { // want passes:"returns 0"
	return do(req)
}

func otherShape(get func(string) (*http.Response, error), u string) int {
	resp, err := get(u)
	if err != nil {
		return 0
	}
	return resp.StatusCode
}

func doValue(c *http.Client, req *http.Request) int {
	do := c.Do
	resp, err := do(req) // want `response body never closed`
	if err != nil {
		return 0
	}
	return resp.StatusCode
}
