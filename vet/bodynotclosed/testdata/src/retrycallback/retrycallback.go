// want package:"analyzed"

// Package retrycallback holds a backend that sends a request, retrying,
// and shows each reply, with its error, to a callback of its caller's
// that turns it into a result: the callback reads and closes the body, or
// returns the body itself as the result for the caller to read. The
// backend then returns the last response, for its status and headers,
// with the result. The body is the callback's where the callback closes,
// keeps or returns it: the backend's callers hold no open body in the
// response, and a callback that does so on some paths only is reported
// at the call that gives it. A callback that does not touch the body (a
// status check) leaves it in the response, for the caller to close.
package retrycallback

import (
	"errors"
	"io"
	"net/http"
)

type backend struct {
	hc      *http.Client
	retries int
}

// send calls handle with every reply and retries where it says so.
func (b *backend) send(req *http.Request, handle func(*http.Response, error) (any, error)) (*http.Response, any, error) { // want send:"^returns 0, shows 2$"
	var resp *http.Response
	var result any
	var err error
	for try := 0; ; try++ {
		resp, err = b.hc.Do(req)
		result, err = handle(resp, err)
		if !b.retry(err, try) {
			break
		}
	}
	if err != nil {
		return nil, nil, err
	}
	return resp, result, nil
}

func (b *backend) retry(err error, try int) bool { return err != nil && try < b.retries }

// bodyOrError returns a good reply's body open, and reads and closes a bad
// one's for its message.
func bodyOrError(resp *http.Response, err error) (io.ReadCloser, error) { // want bodyOrError:"^keeps 0, leaves 0 on error, pair 0 kept, passes in 0$"
	if err != nil {
		return nil, err
	}
	if resp.StatusCode < 400 {
		return resp.Body, nil
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	return nil, errors.New(string(msg))
}

// raw's callback returns the body as the result, which raw reads to its
// end.
func (b *backend) raw(req *http.Request) ([]byte, error) {
	_, result, err := b.send(req, func(resp *http.Response, err error) (any, error) {
		return bodyOrError(resp, err)
	})
	if err != nil {
		return nil, err
	}
	return io.ReadAll(result.(io.ReadCloser))
}

// A stream hands a good reply's body to its caller.
type stream struct {
	status int
	body   io.ReadCloser
}

func (b *backend) stream(req *http.Request) (*stream, error) {
	handle := func(resp *http.Response, err error) (any, error) {
		return bodyOrError(resp, err)
	}
	resp, result, err := b.send(req, handle)
	if err != nil {
		return nil, err
	}
	return &stream{status: resp.StatusCode, body: result.(io.ReadCloser)}, nil
}

// call's callback reads and closes the body of every reply it is given:
// where its error is not nil there is none.
func (b *backend) call(req *http.Request) (int, []byte, error) {
	handle := func(resp *http.Response, err error) (any, error) {
		var data []byte
		if err == nil {
			data, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		if err != nil {
			return nil, err
		}
		return data, nil
	}
	resp, result, err := b.send(req, handle)
	if err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, result.([]byte), nil
}

// readAll is a function of the package given as the callback.
func readAll(resp *http.Response, err error) (any, error) { // want readAll:"^keeps 0, leaves 0 on error, pair 0 kept$"
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

func (b *backend) named(req *http.Request) ([]byte, error) {
	_, result, err := b.send(req, readAll)
	if err != nil {
		return nil, err
	}
	return result.([]byte), nil
}

// statusClosed's callback reads only the status: the body is still in the
// response, and statusClosed closes it.
func (b *backend) statusClosed(req *http.Request) (int, error) {
	resp, _, err := b.send(req, status)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return resp.StatusCode, nil
}

func status(resp *http.Response, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return resp.StatusCode, nil
}

// Findings.

// statusOnly's callback reads only the status, and statusOnly never
// closes the body left in the response.
func (b *backend) statusOnly(req *http.Request) (int, error) {
	resp, _, err := b.send(req, status) // want `response body never closed`
	if err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

// noContent's callback returns on a 204 without the close.
func (b *backend) noContent(req *http.Request) ([]byte, error) {
	_, result, err := b.send(req, func(resp *http.Response, err error) (any, error) { // want `response body handed to the func literal not closed on every path: open at the return on line 164`
		if err != nil {
			return nil, err
		}
		if resp.StatusCode == http.StatusNoContent {
			return nil, nil
		}
		defer resp.Body.Close()
		return io.ReadAll(resp.Body)
	})
	if err != nil {
		return nil, err
	}
	return result.([]byte), nil
}

// sendFast returns a 304 before it shows it to handle: that body is not
// handle's, and its callers close it.
func (b *backend) sendFast(req *http.Request, handle func(*http.Response, error) (any, error)) (*http.Response, any, error) { // want sendFast:"^returns 0$"
	resp, err := b.hc.Do(req)
	if err == nil && resp.StatusCode == http.StatusNotModified {
		return resp, nil, nil
	}
	result, err := handle(resp, err)
	if err != nil {
		return nil, nil, err
	}
	return resp, result, nil
}

func (b *backend) cached(req *http.Request) ([]byte, error) {
	_, result, err := b.sendFast(req, readAll) // want `response body never closed`
	if err != nil || result == nil {
		return nil, err
	}
	return result.([]byte), nil
}

// sendChecked returns what check hands back: the body comes back to it
// in a result of the response's type, and its callers close it.
func (b *backend) sendChecked(req *http.Request, check func(*http.Response, error) (*http.Response, error)) (*http.Response, error) { // want sendChecked:"^returns 0, open on error 0$"
	resp, err := b.hc.Do(req)
	return check(resp, err)
}

func (b *backend) checked(req *http.Request) (int, error) {
	resp, err := b.sendChecked(req, func(resp *http.Response, err error) (*http.Response, error) { // want `response body never closed`
		return resp, err
	})
	if err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}
