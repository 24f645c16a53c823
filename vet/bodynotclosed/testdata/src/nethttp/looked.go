package nethttp

import (
	"net/http"
	"time"
)

// A body shown to an interface method the analyzer cannot see into, and
// closed by the function itself after that call on some path: the method
// only looked at it, and the function still owns it past the call.

type retryPolicy interface {
	Retry(n int, resp *http.Response, err error) (time.Duration, bool)
}

// performRetried asks its retry policy whether to try again, and closes the
// reply itself where it says no; a retried reply is dropped open.
func performRetried(c *http.Client, req *http.Request, r retryPolicy) (int, error) {
	for n := 0; ; n++ {
		resp, err := c.Do(req) // want `response body not closed on every path: the loop's next call drops it`
		if err != nil {
			return 0, err
		}
		if resp.StatusCode >= 500 {
			if wait, ok := r.Retry(n, resp, nil); ok {
				time.Sleep(wait)
				continue
			}
		}
		defer resp.Body.Close()
		return resp.StatusCode, nil
	}
}

// performRetriedClosing closes each reply it retries.
func performRetriedClosing(c *http.Client, req *http.Request, r retryPolicy) (int, error) {
	for n := 0; ; n++ {
		resp, err := c.Do(req)
		if err != nil {
			return 0, err
		}
		if resp.StatusCode >= 500 {
			if wait, ok := r.Retry(n, resp, nil); ok {
				resp.Body.Close()
				time.Sleep(wait)
				continue
			}
		}
		defer resp.Body.Close()
		return resp.StatusCode, nil
	}
}

type inspector interface{ Inspect(*http.Response) }

// inspected shows the reply to its inspector, then leaves it open on a
// status it does not want.
func inspected(c *http.Client, req *http.Request, in inspector) (int, error) {
	resp, err := c.Do(req) // want `response body not closed on every path`
	if err != nil {
		return 0, err
	}
	in.Inspect(resp)
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, nil
	}
	resp.Body.Close()
	return http.StatusOK, nil
}

// handedToInspector leaves the reply to its inspector on every path: it
// may close it.
func handedToInspector(c *http.Client, req *http.Request, in inspector) error {
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	in.Inspect(resp)
	return nil
}
