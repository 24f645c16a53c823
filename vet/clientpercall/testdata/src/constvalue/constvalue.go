package constvalue

import "net/http"

const keep = true

// DisableKeepAlives is read by its constant value: a written-out false is
// the same as none.
func keepOn(url string) {
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: false}} // want `an http.Client with a Transport of its own made per call`
	c.Get(url)
}

func keepOnNot(url string) {
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: !keep}} // want `an http.Client with a Transport of its own made per call`
	c.Get(url)
}

// A value known only at run time is not taken as true: with it false, as
// an option often is by default, the Transport is a pool; the finding says
// it holds unless DisableKeepAlives is true.
func fromConfig(url string, noKeep bool) {
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: noKeep}} // want `an http.Client with a Transport of its own made per call \(and dropped when the function returns\): a connection pool nothing shares, unless DisableKeepAlives is true`
	c.Get(url)
}

func fromConfigLater(url string, noKeep bool) {
	tr := new(http.Transport) // want `an http.Transport made per call .*, unless DisableKeepAlives is true`
	tr.DisableKeepAlives = noKeep
	tr.RoundTrip(nil)
}

// Near misses: a constant true keeps no connection, in the literal or
// assigned later, whatever else is assigned.
func keepOff(url string) {
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: keep}}
	c.Get(url)
}

func setLater(url string, noKeep bool) {
	tr := &http.Transport{DisableKeepAlives: noKeep}
	tr.DisableKeepAlives = true
	c := &http.Client{Transport: tr}
	c.Get(url)
}
