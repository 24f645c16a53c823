package nethttp

import (
	"log"
	"net/http"
)

// The body closed in a deferred function literal (bodyclose #6), or in one
// called on the spot.

func deferredLiteral(c *http.Client, req *http.Request) error {
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer func() {
		if err := resp.Body.Close(); err != nil {
			log.Print(err)
		}
	}()
	return nil
}

func calledLiteral(u string) {
	resp, err := http.Get(u)
	if err != nil {
		return
	}
	func() { resp.Body.Close() }()
}

// readingLiteral's literal only reads the status: the body stays open.
func readingLiteral(u string) {
	resp, err := http.Get(u) // want `response body never closed`
	if err != nil {
		return
	}
	defer func() { log.Print(resp.StatusCode) }()
}
