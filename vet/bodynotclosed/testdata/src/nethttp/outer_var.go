package nethttp

import (
	"io"
	"net/http"
)

// The body assigned to a variable declared outside the if it is opened in,
// and closed after it (bodyclose #77, and #61 with the response).

func outerBody(u string) error {
	var rc io.ReadCloser
	if u != "" {
		resp, err := http.Get(u)
		if err != nil {
			return err
		}
		rc = resp.Body
	} else {
		rc = io.NopCloser(nil)
	}
	defer rc.Close()
	return nil
}

func outerResponse(c *http.Client, req *http.Request, a bool) error {
	var resp *http.Response
	var err error
	if a {
		resp, err = c.Do(req)
		if err != nil {
			return err
		}
	} else {
		resp = &http.Response{Body: http.NoBody}
	}
	defer resp.Body.Close()
	return nil
}
