package newtransport

import "net/http"

// new(http.Transport) made per call is a pool per call, as
// &http.Transport{} is.
func fetch(url string) {
	c := &http.Client{Transport: new(http.Transport)} // want `an http.Client with a Transport of its own made per call \(and dropped when the function returns\)`
	c.Get(url)
}

func bound(url string) {
	t := new(http.Transport)
	t.MaxIdleConns = 2
	(&http.Client{Transport: t}).Get(url) // want `an http.Client with a Transport of its own made per call \(and dropped when the function returns\)`
}

func alone(url string) *http.Response {
	t := new(http.Transport) // want `an http.Transport made per call \(and dropped when the function returns\)`
	resp, _ := t.RoundTrip(nil)
	return resp
}

// Near misses: one that keeps no connection, one released, one made once.
func noKeepAlive(url string) {
	t := new(http.Transport)
	t.DisableKeepAlives = true
	(&http.Client{Transport: t}).Get(url)
}

func released(url string) {
	t := new(http.Transport)
	defer t.CloseIdleConnections()
	(&http.Client{Transport: t}).Get(url)
}

var shared = &http.Client{Transport: new(http.Transport)}
