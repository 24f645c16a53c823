package shared

import (
	"net/http"
	"time"
)

var pooled = &http.Transport{IdleConnTimeout: time.Minute}

type service struct{ rt http.RoundTripper }

// A Client per call on a Transport it did not make shares that pool: only
// a Transport made in the function makes one per call.
func (s *service) handle(w http.ResponseWriter, r *http.Request) {
	a := &http.Client{Transport: pooled, Timeout: time.Second}
	a.Get("http://localhost:8080/a")
	b := &http.Client{Transport: http.DefaultTransport}
	b.Get("http://localhost:8080/b")
	c := &http.Client{Transport: s.rt}
	c.Get("http://localhost:8080/c")
	d := &http.Client{}
	d.Get("http://localhost:8080/d")
}

func withParam(rt http.RoundTripper, urls []string) {
	for _, u := range urls {
		c := &http.Client{Transport: rt, Timeout: time.Second}
		c.Get(u)
	}
}

// A Transport made once, outside the loop, and a Client per iteration on
// it: the pool is not made per iteration.
func loopOnShared(urls []string) *http.Transport {
	tr := &http.Transport{IdleConnTimeout: time.Minute}
	for _, u := range urls {
		(&http.Client{Transport: tr}).Get(u)
	}
	return tr
}

// A Transport made once in main, and a Client per request on it in a
// handler: the pool is main's.
func main() {
	tr := &http.Transport{IdleConnTimeout: time.Minute}
	h := func(w http.ResponseWriter, r *http.Request) {
		(&http.Client{Transport: tr}).Get("http://localhost:8080/")
	}
	h(nil, nil)
}
