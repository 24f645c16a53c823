package nethttp

// A response handed to a function that keeps it on some paths only: a
// constructor that keeps the body of a 200 reply and only reads the status
// of a 202 or a 206, and a debug dump that returns its error before it
// closes the body. The paths on which the callee does not keep it are its
// caller's: where the callee's error tells them apart, the caller owns the
// body on those branches; where it does not, on every path.

import (
	"fmt"
	"io"
	"net/http"
)

// results streams a 200 reply's body; a 202 or a 206 has none to stream.
type results struct {
	body   io.ReadCloser
	status int
}

// newResults keeps the body of a 200 reply only.
func newResults(resp *http.Response) (*results, error) { // want newResults:"keeps 0, leaves 0 on error, leaves 0 on success"
	switch resp.StatusCode {
	case http.StatusOK:
		return &results{body: resp.Body, status: resp.StatusCode}, nil
	case http.StatusAccepted, http.StatusNoContent, http.StatusPartialContent:
		return &results{status: resp.StatusCode}, nil
	}
	return nil, fmt.Errorf("query: status %d", resp.StatusCode)
}

func query(c *http.Client, req *http.Request) (*results, error) {
	resp, err := c.Do(req) // want `response body not closed on every path: open at the return on line 38`
	if err != nil {
		return nil, err
	}
	return newResults(resp)
}

// dumpReply writes the reply to w and closes its body; where the status
// line cannot be written, it returns before anything closes the body.
func dumpReply(resp *http.Response, w io.Writer) error { // want dumpReply:"keeps 0, leaves 0 on error"
	if _, err := fmt.Fprintln(w, resp.Status); err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err := io.Copy(w, resp.Body)
	return err
}

func fetchDumped(c *http.Client, req *http.Request, w io.Writer) error {
	resp, err := c.Do(req) // want `response body not closed on every path: open at the return on line 58`
	if err != nil {
		return err
	}
	if err := dumpReply(resp, w); err != nil {
		return err
	}
	return nil
}

// Near misses.

// fetchDumpedClosing closes the body where the dump fails.
func fetchDumpedClosing(c *http.Client, req *http.Request, w io.Writer) error {
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	if err := dumpReply(resp, w); err != nil {
		resp.Body.Close()
		return err
	}
	return nil
}

// newStream keeps the body of a 200 reply and closes any other.
func newStream(resp *http.Response) (*results, error) { // want newStream:"keeps 0"
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("stream: status %d", resp.StatusCode)
	}
	return &results{body: resp.Body, status: resp.StatusCode}, nil
}

func stream(c *http.Client, req *http.Request) (*results, error) {
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	return newStream(resp)
}

// statusOnly closes the body on every path.
func statusOnly(resp *http.Response) error { // want statusOnly:"keeps 0"
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

func pingStatus(c *http.Client, req *http.Request) error {
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	return statusOnly(resp)
}

// closeIfBad closes the body of a bad reply only, and says so: its caller
// closes a good one's.
func closeIfBad(resp *http.Response) error { // want closeIfBad:"keeps 0, leaves 0 on success"
	if resp.StatusCode < 300 {
		return nil
	}
	resp.Body.Close()
	return fmt.Errorf("status %d", resp.StatusCode)
}

func fetchChecked(c *http.Client, req *http.Request) ([]byte, error) {
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	if err := closeIfBad(resp); err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}
