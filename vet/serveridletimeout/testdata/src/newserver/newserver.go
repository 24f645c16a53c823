package newserver

import (
	"net/http"
	"time"
)

type app struct {
	main, tls *http.Server
}

// new(http.Server) is &http.Server{}: no timeouts. The fix rewrites it as
// a literal with IdleTimeout.
func newApp() *app {
	return &app{
		main: new(http.Server), // want `http.Server without IdleTimeout or ReadTimeout`
		tls:  new(http.Server), // want `http.Server without IdleTimeout or ReadTimeout`
	}
}

func bound(h http.Handler) *http.Server {
	s := new(http.Server) // want `http.Server without IdleTimeout or ReadTimeout`
	s.Handler = h
	return s
}

// No fix where a later statement sets IdleTimeout: it would undo it.
func zeroLater() *http.Server {
	s := new(http.Server) // want `http.Server without IdleTimeout or ReadTimeout`
	s.IdleTimeout = 0
	return s
}

// No fix where the literal would read otherwise: an operand, or in the
// header of an if.
func operand() error {
	return new(http.Server).ListenAndServe() // want `http.Server without IdleTimeout or ReadTimeout`
}

func header(h http.Handler) {
	if s := new(http.Server); h != nil { // want `http.Server without IdleTimeout or ReadTimeout`
		s.Handler = h
		s.ListenAndServe()
	}
}

// Near misses: a timeout set later, or new of something else.
func idleLater(h http.Handler) *http.Server {
	s := new(http.Server)
	s.IdleTimeout = time.Minute
	s.Handler = h
	return s
}

func readLater(d time.Duration) *http.Server {
	var s = new(http.Server)
	s.ReadTimeout = d
	return s
}

func pointerToPointer() **http.Server {
	return new(*http.Server)
}

func ofValue() *http.Server {
	return new(http.Server{IdleTimeout: time.Minute})
}
