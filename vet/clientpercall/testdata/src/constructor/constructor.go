// Package constructor holds pools made by a constructor, a function that
// makes one and returns it: a call of it is a pool made where it is
// called, here or in another package (constructors, with its facts).
package constructor

import (
	"net/http"

	"constructors"
)

func newClient() *http.Client {
	return &http.Client{Transport: &http.Transport{}}
}

// service holds the client newClient makes: newService is a constructor
// too.
type service struct{ hc *http.Client }

func newService() *service {
	return &service{hc: newClient()}
}

func fetch(u string) error {
	c := newClient() // want `an http.Client with a Transport of its own made per call by newClient \(and dropped when the function returns\)`
	resp, err := c.Get(u)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func handle(w http.ResponseWriter, r *http.Request) {
	s := newService() // want `made per call by newService \(inside an HTTP handler\)`
	s.hc.Get("http://localhost:8080/hello")
}

func each(urls []string) {
	for _, u := range urls {
		c := constructors.NewClient() // want `made per call by NewClient \(inside a loop\)`
		_ = c
		_ = u
	}
}

// Near misses: made once, kept, released, or on a shared pool.

var shared = newClient()

func main() {
	c := newClient()
	c.Get("http://localhost:8080/hello")
}

type app struct{ c *http.Client }

func (a *app) setUp() {
	a.c = newClient()
}

func released(u string) {
	c := newClient()
	defer c.CloseIdleConnections()
	c.Get(u)
}

func onShared() {
	_ = constructors.NewShared()
	_ = constructors.NewRegistered()
}
