package nethttp

// A response whose Body a helper replaces, for a compressed reply, with a
// decoder that holds the body and closes it when it is closed
// (`resp.Body = &inflated{r: zr, closers: []io.Closer{zr, resp.Body}}`),
// handed back by the calls above it, and at last read to its end and never
// closed. Reading net/http's own body to its end gives its connection
// back; reading a decoder of it does not where the decoder fails before
// the body's end (a corrupt stream): only a Close frees the connection
// then.

import (
	"compress/gzip"
	"errors"
	"io"
	"net/http"
)

// inflated reads a gzip stream, and closes what it holds in order.
type inflated struct {
	r       io.Reader
	closers []io.Closer
}

func (d *inflated) Read(p []byte) (int, error) { return d.r.Read(p) }

func (d *inflated) Close() error {
	for _, c := range d.closers {
		if err := c.Close(); err != nil {
			return err
		}
	}
	return nil
}

// autoInflate replaces the body of a compressed reply with a decoder of
// it.
func autoInflate(resp *http.Response) error { // want autoInflate:"^rewraps 0$"
	if resp.Header.Get("Content-Encoding") != "gzip" {
		return nil
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		return err
	}
	resp.Body = &inflated{r: zr, closers: []io.Closer{zr, resp.Body}}
	return nil
}

type agentAPI struct{ hc *http.Client }

// do returns the response with its body decoded.
func (a *agentAPI) do(req *http.Request) (*http.Response, error) { // want do:"^returns 0, wrapped 0$"
	resp, err := a.hc.Do(req)
	if err != nil {
		return nil, err
	}
	if err := autoInflate(resp); err != nil {
		resp.Body.Close()
		return nil, err
	}
	return resp, nil
}

// okReply closes the body of a reply that is not a 200, and passes a
// good one's on.
func okReply(resp *http.Response, err error) (*http.Response, error) { // want okReply:"pair 0"
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, errors.New(resp.Status)
	}
	return resp, nil
}

// rawQuery returns the body of a good reply alone.
func (a *agentAPI) rawQuery(u string) (io.ReadCloser, error) { // want rawQuery:"^returns 0, wrapped 0$"
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := okReply(a.do(req))
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// profile reads the body to its end, and never closes it: where the
// decoder fails midway, the body is left unread and open.
func (a *agentAPI) profile(u string) ([]byte, error) {
	body, err := a.rawQuery(u) // want `response body never closed; reading it to its end does not free it: it may be a wrapper of the response's body \(a decoder\)`
	if err != nil {
		return nil, err
	}
	out, err := io.ReadAll(body)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ping discards the body through drainAll (drain_helper.go), which only
// reads it.
func (a *agentAPI) ping(req *http.Request) error {
	resp, err := a.do(req) // want `response body not closed on every path: open at the return on line 113; reading it to its end does not free it`
	if err != nil {
		return err
	}
	drainAll(resp)
	return nil
}

// inflate decodes the body where it opens it, with a wrapper of another
// shape, and reads it to its end.
func inflate(c *http.Client, u string) (int64, error) {
	resp, err := c.Get(u) // want `response body not closed on every path: open at the return on line 132; reading it to its end does not free it`
	if err != nil {
		return 0, err
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		resp.Body.Close()
		return 0, err
	}
	resp.Body = struct {
		io.Reader
		io.Closer
	}{zr, resp.Body}
	return io.Copy(io.Discard, resp.Body)
}

// Near misses.

// profileClosed closes the decoder, which closes the body.
func (a *agentAPI) profileClosed(u string) ([]byte, error) {
	body, err := a.rawQuery(u)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	return io.ReadAll(body)
}

// readAndClose reads what it is given to its end, and closes it.
func readAndClose(rc io.ReadCloser) ([]byte, error) { // want readAndClose:"^keeps 0$"
	defer rc.Close()
	return io.ReadAll(rc)
}

// profileHelped hands the decoder to readAndClose.
func (a *agentAPI) profileHelped(u string) ([]byte, error) {
	body, err := a.rawQuery(u)
	if err != nil {
		return nil, err
	}
	return readAndClose(body)
}

// stream hands the decoder on to its caller.
func (a *agentAPI) stream(u string) (io.ReadCloser, error) { // want stream:"^returns 0, wrapped 0$"
	body, err := a.rawQuery(u)
	if err != nil {
		return nil, err
	}
	return body, nil
}

// plain reads net/http's own body to its end, which gives its connection
// back.
func (a *agentAPI) plain(u string) ([]byte, error) {
	resp, err := a.hc.Get(u)
	if err != nil {
		return nil, err
	}
	_, err = io.ReadAll(resp.Body)
	return nil, err
}
