package nethttp

import (
	"net/http"
)

// The body handed on: returned to the caller (bodyclose #4), sent, kept,
// started in a goroutine, closed by a helper.

func get(u string) *http.Response { // want get:"returns 0"
	resp, _ := http.Get(u)
	return resp
}

func getBody(c *http.Client, req *http.Request) (*http.Response, error) { // want getBody:"returns 0"
	return c.Do(req)
}

func caller(u string) {
	resp := get(u)
	resp.Body.Close()
}

func callerLeaks(u string) int {
	resp := get(u) // want `response body never closed`
	return resp.StatusCode
}

func send(u string, ch chan<- *http.Response) {
	resp, err := http.Get(u)
	if err != nil {
		return
	}
	ch <- resp
}

var last *http.Response

func global(u string) {
	resp, err := http.Get(u)
	if err == nil {
		last = resp
	}
}

func inGoroutine(u string, done func()) {
	resp, err := http.Get(u)
	if err != nil {
		return
	}
	go func() {
		defer done()
		resp.Body.Close()
	}()
}

func drainAndClose(resp *http.Response) { // want drainAndClose:"keeps 0"
	resp.Body.Close()
}

func drained(c *http.Client, req *http.Request) error {
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	drainAndClose(resp)
	return nil
}

func unknownFunc(u string, f func(*http.Response)) { // want unknownFunc:"hands 1"
	resp, err := http.Get(u)
	if err != nil {
		return
	}
	f(resp) // a function value: it may close it
}

type closer interface{ Take(*http.Response) }

func unknownMethod(u string, c closer) {
	resp, err := http.Get(u)
	if err != nil {
		return
	}
	c.Take(resp) // an interface method: it may close it
}
