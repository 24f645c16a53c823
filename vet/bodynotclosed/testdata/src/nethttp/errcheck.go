package nethttp

import "net/http"

// A Client's error means no response: the error branch has no body.

func errFirst(c *http.Client, req *http.Request) error {
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return nil
}

func errEqualNil(u string) int {
	resp, err := http.Get(u)
	if err == nil {
		defer resp.Body.Close()
		return resp.StatusCode
	}
	return 0
}

func nilResponse(c *http.Client, req *http.Request) {
	resp, _ := c.Do(req)
	if resp == nil {
		return
	}
	resp.Body.Close()
}

// namedErr's error is a named result a deferred function reads.
func namedErr(c *http.Client, req *http.Request) (err error) {
	defer func() {
		if err != nil {
			err = nil
		}
	}()
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
