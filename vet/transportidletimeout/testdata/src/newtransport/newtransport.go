package newtransport

import (
	"net/http"
	"time"
)

// new(http.Transport) is &http.Transport{}: no IdleConnTimeout. The fix
// rewrites it as a literal with IdleConnTimeout.
func clients() (*http.Client, *http.Transport) {
	c := &http.Client{Transport: new(http.Transport)} // want `http.Transport without IdleConnTimeout`
	t := new(http.Transport)                          // want `http.Transport without IdleConnTimeout`
	t.MaxIdleConns = 4
	return c, t
}

func zeroLater() *http.Transport {
	t := new(http.Transport)
	t.IdleConnTimeout = 0 // want `http.Transport with IdleConnTimeout 0`
	return t
}

// Near misses: set later, released by the function that makes it, or new
// of something else.
func setLater(d time.Duration) []*http.Transport {
	tuned := new(http.Transport)
	tuned.IdleConnTimeout = d

	var noKeep = new(http.Transport)
	noKeep.DisableKeepAlives = true
	return []*http.Transport{tuned, noKeep}
}

func released(url string) {
	t := new(http.Transport)
	defer t.CloseIdleConnections()
	(&http.Client{Transport: t}).Get(url)

	c := &http.Client{Transport: new(http.Transport)}
	defer c.CloseIdleConnections()
	c.Get(url)
}

// No fix on an operand.
func operand(req *http.Request) (*http.Response, error) {
	return new(http.Transport).RoundTrip(req) // want `http.Transport without IdleConnTimeout`
}

func others() (**http.Transport, *http.Transport) {
	return new(*http.Transport), new(http.Transport{IdleConnTimeout: time.Minute})
}
