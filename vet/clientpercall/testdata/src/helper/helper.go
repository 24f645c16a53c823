package helper

import (
	"net/http"

	"helpers"
)

// A client handed to a helper that only uses it is not kept.
func viaHelper(url string) {
	c := &http.Client{Transport: &http.Transport{}} // want `an http.Client with a Transport of its own made per call \(and dropped when the function returns\)`
	doRequest(c, url)
}

func doRequest(c *http.Client, url string) {
	c.Do(&http.Request{})
}

// The same, across packages: the helper's fact says it keeps nothing.
func viaOtherPackage(url string) {
	c := &http.Client{Transport: &http.Transport{}} // want `an http.Client with a Transport of its own made per call`
	helpers.Retry(c, url, 3)
}

// Near misses: a helper that keeps it, in this package or another; a
// callee with no fact, which is taken to keep it.

type holder struct{ c *http.Client }

func (h *holder) set(c *http.Client) { h.c = c }

func kept(h *holder, url string) {
	c := &http.Client{Transport: &http.Transport{}}
	h.set(c)
}

func keptElsewhere() {
	c := &http.Client{Transport: &http.Transport{}}
	helpers.Register("c", c)
}

func keptByGoroutine(url string) {
	c := &http.Client{Transport: &http.Transport{}}
	helpers.Later(c, url)
}

type doer interface{ Use(*http.Client) }

func viaInterface(d doer) {
	c := &http.Client{Transport: &http.Transport{}}
	d.Use(c)
}

func viaFuncValue(use func(*http.Client)) {
	c := &http.Client{Transport: &http.Transport{}}
	use(c)
}

func viaClosure(url string) func() {
	c := &http.Client{Transport: &http.Transport{}}
	return func() { c.Get(url) }
}

func viaChannel(ch chan<- *http.Client) {
	ch <- &http.Client{Transport: &http.Transport{}}
}

func viaGoroutine(url string) {
	c := &http.Client{Transport: &http.Transport{}}
	go func() { c.Get(url) }()
}
