package rawbody

import (
	"io"

	"github.com/go-resty/resty/v2"
)

var client = resty.New()

func leaky(url string) {
	resp, _ := client.R().SetDoNotParseResponse(true).Get(url) // want `SetDoNotParseResponse\(true\) makes the response body the caller's`
	_ = resp
}

func discarded(url string) {
	client.R().SetDoNotParseResponse(true).Get(url) // want `SetDoNotParseResponse\(true\)`
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

func handedOn(url string) io.ReadCloser {
	resp, _ := client.R().SetDoNotParseResponse(true).Get(url)
	return keep(resp.RawBody())
}

func keep(rc io.ReadCloser) io.ReadCloser { return rc }

func parsed(url string) {
	client.R().SetDoNotParseResponse(false).Get(url)
}
