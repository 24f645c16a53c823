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

// Near misses: a constant true keeps no connection; a value known only at
// run time is trusted; so is a later assignment.
func keepOff(url string) {
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: keep}}
	c.Get(url)
}

func fromConfig(url string, noKeep bool) {
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: noKeep}}
	c.Get(url)
}

func setLater(url string) {
	tr := &http.Transport{}
	tr.DisableKeepAlives = true
	c := &http.Client{Transport: tr}
	c.Get(url)
}
