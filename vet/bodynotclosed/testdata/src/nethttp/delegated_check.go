package nethttp

// A check that hands the body and the error it is given, as they are, to
// another check and returns that one's results as they are: one made by a
// function of the module (`check := statusIn(200); return check(n, resp,
// err)`), or one called by name (`return checkCreated(resp, err)`). It
// passes a good reply's body on as the other does, so its call opens a
// body for its caller.

import (
	"fmt"
	"net/http"
	"slices"
	"time"
)

// timedCheck is a check handed the time a request took with its reply.
type timedCheck func(d time.Duration, resp *http.Response, err error) (time.Duration, *http.Response, error)

// statusIn makes a check that closes the body of a reply whose status is
// none of codes, and passes a good one's on.
func statusIn(codes ...int) timedCheck {
	return func(d time.Duration, resp *http.Response, err error) (time.Duration, *http.Response, error) {
		if err != nil {
			return d, nil, err
		}
		if slices.Contains(codes, resp.StatusCode) {
			return d, resp, nil
		}
		resp.Body.Close()
		return d, nil, fmt.Errorf("unexpected status %d", resp.StatusCode)
	}
}

// mustOK hands its reply to the check statusIn makes.
func mustOK(d time.Duration, resp *http.Response, err error) (time.Duration, *http.Response, error) { // want mustOK:"pair 1 kept, passes in 1$"
	check := statusIn(http.StatusOK)
	return check(d, resp, err)
}

// timedGet returns the time a GET took with its reply.
func timedGet(c *http.Client, u string) (time.Duration, *http.Response, error) { // want timedGet:"returns 1"
	start := time.Now()
	resp, err := c.Get(u)
	return time.Since(start), resp, err
}

// version reads a good reply's header, and drops its body.
func version(c *http.Client, u string) (string, error) {
	_, resp, err := mustOK(timedGet(c, u)) // want `response body never closed`
	if err != nil {
		return "", err
	}
	return resp.Header.Get("Version"), nil
}

// checkCreated closes the body of a reply that is not a 201, and passes a
// good one's on.
func checkCreated(resp *http.Response, err error) (*http.Response, error) { // want checkCreated:"pair 0 kept, passes in 0$"
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusCreated {
		resp.Body.Close()
		return nil, fmt.Errorf("unexpected status %d", resp.StatusCode)
	}
	return resp, nil
}

// mustCreated hands its reply to checkCreated.
func mustCreated(resp *http.Response, err error) (*http.Response, error) { // want mustCreated:"pair 0 kept, passes in 0$"
	return checkCreated(resp, err)
}

// create reads a good reply's header, and drops its body.
func create(c *http.Client, u string) (string, error) {
	resp, err := mustCreated(c.Post(u, "application/json", nil)) // want `response body never closed`
	if err != nil {
		return "", err
	}
	return resp.Header.Get("Location"), nil
}

// Near miss.

// versionClosed closes a good reply's body; the check closed any other.
func versionClosed(c *http.Client, u string) (string, error) {
	_, resp, err := mustOK(timedGet(c, u))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	return resp.Header.Get("Version"), nil
}
