package nethttp

// An error variable that a deferred function reads (so that it lives in
// memory, not in registers), given the call's error and then another
// one: a check of it after the second says nothing of the body. A trace
// of the reply whose write fails returns that error with the body open.

import (
	"io"
	"net/http"
	"net/http/httputil"
)

type tracer struct {
	c        *http.Client
	w        io.Writer
	on       bool
	failures int
}

// dump writes the reply's status line and headers; it does not read the
// body.
func (t *tracer) dump(resp *http.Response) error {
	b, err := httputil.DumpResponse(resp, false)
	if err != nil {
		return err
	}
	_, err = t.w.Write(b)
	return err
}

// do returns the reply, and where the dump fails, its error, with the
// body open.
func (t *tracer) do(req *http.Request) (resp *http.Response, err error) { // want do:"^returns 0$"
	defer func() {
		if err != nil {
			t.failures++
		}
	}()
	resp, err = t.c.Do(req) // want `response body not closed on every path: open at the return on line 47`
	if err != nil {
		return nil, err
	}
	if t.on {
		err = t.dump(resp)
		if err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// note may set *err, after the request made it.
func note(err *error) {}

func (t *tracer) ping(u string) (err error) {
	defer func() {
		if err != nil {
			t.failures++
		}
	}()
	resp, err := t.c.Get(u) // want `response body not closed on every path: open at the return on line 65`
	note(&err)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Near misses.

// doClosing closes the body where the dump fails.
func (t *tracer) doClosing(req *http.Request) (resp *http.Response, err error) { // want doClosing:"^returns 0$"
	defer func() {
		if err != nil {
			t.failures++
		}
	}()
	resp, err = t.c.Do(req)
	if err != nil {
		return nil, err
	}
	if t.on {
		err = t.dump(resp)
		if err != nil {
			resp.Body.Close()
			return nil, err
		}
	}
	return resp, nil
}

// get checks the call's error before anything else is stored in err.
func (t *tracer) get(u string) (n int64, err error) {
	defer func() {
		if err != nil {
			t.failures++
		}
	}()
	resp, err := t.c.Get(u)
	if t.on {
		t.failures--
	}
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return io.Copy(t.w, resp.Body)
}

// getRetried tries three times; past the loop, err is the last call's, or
// nil where no call was made.
func (t *tracer) getRetried(u string) (err error) {
	defer func() {
		if err != nil {
			t.failures++
		}
	}()
	var resp *http.Response
	for i := 0; i < 3; i++ {
		resp, err = t.c.Get(u)
		if err == nil {
			break
		}
	}
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// roundTripVia follows one redirect: the error it returns with the
// response is the one checked nil before, or the second call's.
func roundTripVia(a, b http.RoundTripper, req *http.Request, viaA bool) (*http.Response, error) { // want roundTripVia:"^returns 0$"
	var resp *http.Response
	var err error
	if viaA {
		resp, err = a.RoundTrip(req)
	} else {
		resp, err = b.RoundTrip(req)
	}
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusMovedPermanently && viaA {
		resp.Body.Close()
		resp, err = roundTripVia(a, b, req, false)
	}
	return resp, err
}
