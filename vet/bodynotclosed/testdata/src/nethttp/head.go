package nethttp

import (
	"context"
	"net/http"
)

// A reply to HEAD holds no connection: net/http gives it http.NoBody and
// its connection back before the call returns. So a dropped HEAD reply is
// no finding; a request whose method is not known to be HEAD still is.

func headExists(c *http.Client, u string) bool {
	_, err := c.Head(u)
	return err == nil
}

func headPackage(u string) int {
	resp, err := http.Head(u)
	if err != nil {
		return 0
	}
	return resp.StatusCode
}

// headWithContext makes its request for HEAD, gives it a context, and
// drops the reply; a health check's loop does so.
func headWithContext(ctx context.Context, c *http.Client, urls []string) bool {
	for _, u := range urls {
		req, err := http.NewRequest(http.MethodHead, u, nil)
		if err != nil {
			return false
		}
		req = req.WithContext(ctx)
		resp, err := c.Do(req)
		if err == nil && resp.StatusCode == http.StatusOK {
			return true
		}
	}
	return false
}

func headRoundTrip(ctx context.Context, rt http.RoundTripper, u string) error {
	req, err := http.NewRequestWithContext(ctx, "HEAD", u, nil)
	if err != nil {
		return err
	}
	_, err = rt.RoundTrip(req.Clone(ctx))
	return err
}

// Near misses: a method net/http does not take for HEAD, or not known.

func headLowerCase(c *http.Client, u string) error {
	req, err := http.NewRequest("head", u, nil)
	if err != nil {
		return err
	}
	_, err = c.Do(req) // want `response body never closed: the response is dropped`
	return err
}

func headOrGet(c *http.Client, u string, head bool) error {
	method := http.MethodGet
	if head {
		method = http.MethodHead
	}
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		return err
	}
	_, err = c.Do(req) // want `response body never closed: the response is dropped`
	return err
}

func headThenSwitched(c *http.Client, u string) error {
	req, err := http.NewRequest(http.MethodHead, u, nil)
	if err != nil {
		return err
	}
	if u == "" {
		req, err = http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			return err
		}
	}
	_, err = c.Do(req) // want `response body never closed: the response is dropped`
	return err
}
