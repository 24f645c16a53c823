package nethttp

// A response wrapped in a struct of the module that embeds *http.Response
// (`&Response{Response: resp}`), made where the call is: the wrapper
// carries the body, and its callers close it as resp.Body.Close(). A
// redirect followed with a goto makes the next request with the wrapped
// response still open, and a redirect refused returns it with an error.

import (
	"errors"
	"net/http"
	"net/url"
)

// Reply embeds the response it wraps.
type Reply struct {
	*http.Response
	Redirected bool
}

// Error closes the body of an error reply, and returns its error.
func (r *Reply) Error() error { // want Error:"^keeps 0, leaves 0 on success$"
	if r.StatusCode < 400 {
		return nil
	}
	r.Body.Close()
	return errors.New(r.Status)
}

type api struct{ hc *http.Client }

// send follows one redirect with a goto, and drops the redirect's body.
func (a *api) send(u *url.URL) (*Reply, error) { // want send:"^returns 0, open on error 0$"
	redirects := 0
again:
	resp, err := a.hc.Get(u.String()) // want `response body not closed on every path: the loop's next call drops it`
	if err != nil {
		return nil, err
	}
	result := &Reply{Response: resp}
	if resp.StatusCode == http.StatusTemporaryRedirect && redirects == 0 {
		loc, err := resp.Location()
		if err != nil {
			return result, err
		}
		u = loc
		redirects++
		goto again
	}
	if err := result.Error(); err != nil {
		return nil, err
	}
	return result, nil
}

// refuse returns the redirect's wrapper with an error.
func (a *api) refuse(u string) (*Reply, error) { // want refuse:"^returns 0, open on error 0$"
	resp, err := a.hc.Get(u) // want `response body returned open with an error at the return on line 64: a caller that checks the error drops it`
	if err != nil {
		return nil, err
	}
	result := &Reply{Response: resp}
	if resp.StatusCode/100 == 3 {
		return result, errors.New("redirect refused")
	}
	return result, nil
}

// status drops the body of the wrapper refuse returns.
func (a *api) status(u string) (int, error) {
	r, err := a.refuse(u) // want `response body never closed`
	if err != nil {
		return 0, err
	}
	return r.StatusCode, nil
}

// Near misses.

// statusClosed closes the body through the wrapper.
func (a *api) statusClosed(u string) (int, error) {
	r, err := a.refuse(u)
	if err != nil {
		return 0, err
	}
	defer r.Body.Close()
	return r.StatusCode, nil
}

// closeReply closes the body of the reply it is given.
func closeReply(r *Reply) { // want closeReply:"^keeps 0$"
	r.Body.Close()
}

func (a *api) statusHelped(u string) (int, error) {
	r, err := a.refuse(u)
	if err != nil {
		return 0, err
	}
	defer closeReply(r)
	return r.StatusCode, nil
}

// sendClosing closes the redirect's body before it goes round again.
func (a *api) sendClosing(u *url.URL) (*Reply, error) { // want sendClosing:"^returns 0$"
	redirects := 0
again:
	resp, err := a.hc.Get(u.String())
	if err != nil {
		return nil, err
	}
	result := &Reply{Response: resp}
	if resp.StatusCode == http.StatusTemporaryRedirect && redirects == 0 {
		result.Body.Close()
		loc, err := resp.Location()
		if err != nil {
			return nil, err
		}
		u = loc
		redirects++
		goto again
	}
	return result, nil
}

// newReply wraps the response in a value whose address it returns.
func newReply(resp *http.Response) *Reply { // want newReply:"^keeps 0$"
	r := Reply{Response: resp}
	r.Redirected = resp.Request != nil && resp.Request.Response != nil
	return &r
}

// stream hands the body on in newReply's wrapper.
func (a *api) stream(u string) (*Reply, error) {
	resp, err := a.hc.Get(u)
	if err != nil {
		return nil, err
	}
	return newReply(resp), nil
}
