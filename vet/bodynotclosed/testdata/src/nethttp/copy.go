package nethttp

import (
	"encoding/json"
	"io"
	"io/ioutil"
	"net/http"
	"os"
)

// download copies the body to w, and never closes it: io.Copy stops at
// the first error of w's, with the body unread and its connection held.
func download(c *http.Client, u string, w io.Writer) error {
	resp, err := c.Get(u) // want `response body never closed`
	if err != nil {
		return err
	}
	_, err = io.Copy(w, resp.Body)
	return err
}

// serveProxied copies it to a ResponseWriter, which can fail.
func serveProxied(w http.ResponseWriter, u string) {
	resp, err := http.Get(u) // want `response body never closed`
	if err != nil {
		return
	}
	io.Copy(w, resp.Body)
}

// toStdout copies it to a file, which can fail too.
func toStdout(u string) {
	resp, err := http.Get(u) // want `response body never closed`
	if err != nil {
		return
	}
	io.CopyBuffer(os.Stdout, resp.Body, make([]byte, 512))
}

// decode reads it with a json.Decoder, and never closes it: Decode reads
// one value, not to the end.
func decode(u string, v any) error {
	resp, err := http.Get(u) // want `response body never closed`
	if err != nil {
		return err
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// limited reads at most n bytes of it: not to the end.
func limited(u string, n int64) ([]byte, error) {
	resp, err := http.Get(u) // want `response body never closed`
	if err != nil {
		return nil, err
	}
	return io.ReadAll(io.LimitReader(resp.Body, n))
}

// The bodies below are read until a Read fails, io.EOF included, where
// net/http's body gives its connection back (or closes it): no leak,
// though closing them is still the better habit.

func readAll(u string) ([]byte, error) {
	resp, err := http.Get(u)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(resp.Body)
}

func readAllIoutil(c *http.Client, req *http.Request) int {
	resp, _ := c.Do(req)
	b, _ := ioutil.ReadAll(resp.Body)
	return len(b)
}

func discard(c *http.Client, u string) (int, error) {
	resp, err := c.Get(u)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, err
}

func discardBuffer(u string, buf []byte) {
	resp, err := http.Get(u)
	if err != nil {
		return
	}
	io.CopyBuffer(ioutil.Discard, resp.Body, buf)
}

// readAllSome reads it to the end on one path only.
func readAllSome(u string) ([]byte, error) {
	resp, err := http.Get(u) // want `response body not closed on every path: open at the return on line 101`
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, nil
	}
	return io.ReadAll(resp.Body)
}
