package nethttp

import (
	"encoding/json"
	"io"
	"net/http"
)

// download reads the body to the end, and never closes it: io.Copy reads.
func download(c *http.Client, u string, w io.Writer) error {
	resp, err := c.Get(u) // want `response body never closed`
	if err != nil {
		return err
	}
	_, err = io.Copy(w, resp.Body)
	return err
}

// decode reads it with a json.Decoder, and never closes it.
func decode(u string, v any) error {
	resp, err := http.Get(u) // want `response body never closed`
	if err != nil {
		return err
	}
	return json.NewDecoder(resp.Body).Decode(v)
}
