package resty // want package:"analyzed"

import (
	"io"
	"os"

	"github.com/go-resty/resty/v2"
)

// The client-level switch: every request of the client leaves its body
// raw.

var rawClient = resty.New().SetDoNotParseResponse(true)

func viaGlobal(url string) {
	resp, err := rawClient.R().Get(url) // want `raw body never closed`
	if err != nil {
		return
	}
	_ = resp
}

func viaLocal(url string) error {
	c := resty.New()
	c.SetDoNotParseResponse(true)
	resp, err := c.R().SetHeader("Accept", "text/plain").Get(url) // want `raw body never closed`
	if err != nil {
		return err
	}
	_, err = io.Copy(os.Stdout, resp.RawBody())
	return err
}

func chained(url string) {
	resp, _ := resty.New().SetDoNotParseResponse(true).R().Get(url) // want `raw body never closed`
	_ = resp
}

type service struct{ c *resty.Client }

func newService() *service {
	return &service{c: resty.New().SetDoNotParseResponse(true)}
}

func (s *service) fetch(url string) error {
	resp, err := s.c.R().Get(url) // want `raw body not closed on every path`
	if err != nil {
		return err
	}
	if resp.StatusCode() == 200 {
		resp.RawBody().Close()
	}
	return nil
}

// Near misses.

func viaLocalClosed(url string) error {
	c := resty.New().SetDoNotParseResponse(true)
	resp, err := c.R().Get(url)
	if err != nil {
		return err
	}
	defer resp.RawBody().Close()
	return nil
}

func parsingClient(url string) {
	c := resty.New()
	c.R().Get(url)
}
