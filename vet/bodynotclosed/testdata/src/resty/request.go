// Package resty holds Resty's raw bodies: SetDoNotParseResponse(true) makes
// the body the caller's.
package resty

import (
	"io"

	"github.com/go-resty/resty/v2"
)

var client = resty.New()

func leaky(url string) {
	resp, _ := client.R().SetDoNotParseResponse(true).Get(url) // want `raw body never closed \[body-not-closed\]`
	_ = resp.StatusCode()
}

func discarded(url string) {
	client.R().SetDoNotParseResponse(true).Get(url) // want `raw body never closed: the response is dropped`
}

// onlyCopied copies the raw body to w, and never closes it: a write error
// of w's stops the copy with the body unread.
func onlyCopied(url string, w io.Writer) error {
	resp, err := client.R().SetDoNotParseResponse(true).Get(url) // want `raw body never closed`
	if err != nil {
		return err
	}
	_, err = io.Copy(w, resp.RawBody())
	return err
}

// drained reads the raw body, a net/http body, to its end: its connection
// goes back at io.EOF.
func drained(url string) error {
	resp, err := client.R().SetDoNotParseResponse(true).Get(url)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, resp.RawBody())
	return err
}

// onSuccessOnly closes the raw body on the 200 path only.
func onSuccessOnly(url string) error {
	resp, err := client.R().SetDoNotParseResponse(true).Get(url) // want `raw body not closed on every path: open at the return on line 51`
	if err != nil {
		return err
	}
	if resp.StatusCode() != 200 {
		return io.ErrUnexpectedEOF
	}
	return resp.RawBody().Close()
}

// Near misses.

func closed(url string) error {
	resp, err := client.R().SetDoNotParseResponse(true).Get(url)
	if err != nil {
		return err
	}
	defer resp.RawBody().Close()
	_, err = io.Copy(io.Discard, resp.RawBody())
	return err
}

// closedRaw closes the same body through the http.Response.
func closedRaw(url string) error {
	resp, err := client.R().SetDoNotParseResponse(true).Post(url)
	if err != nil {
		return err
	}
	defer resp.RawResponse.Body.Close()
	return nil
}

func handedOn(url string) io.ReadCloser {
	resp, _ := client.R().SetDoNotParseResponse(true).Get(url)
	return keep(resp.RawBody())
}

func keep(rc io.ReadCloser) io.ReadCloser { return rc } // want keep:"keeps 0"

func parsed(url string) {
	client.R().SetDoNotParseResponse(false).Get(url)
	client.R().Get(url)
}

// headDiscarded drops a HEAD reply: its raw body is http.NoBody and its
// connection is back in the pool.
func headDiscarded(url string) {
	client.R().SetDoNotParseResponse(true).Head(url)
}
