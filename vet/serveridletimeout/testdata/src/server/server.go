package server

import (
	"net"
	"net/http"
	"time"
)

func serve(ln net.Listener, h http.Handler) {
	http.ListenAndServe(":8080", h) // want `http.ListenAndServe runs an http.Server with no timeouts`
	http.Serve(ln, h)               // want `http.Serve runs an http.Server with no timeouts`

	bare := &http.Server{Addr: ":8080", Handler: h} // want `http.Server without IdleTimeout or ReadTimeout`
	bare.ListenAndServe()

	// Near misses.
	idle := &http.Server{Handler: h, IdleTimeout: time.Minute}
	idle.Serve(ln)
	read := &http.Server{Handler: h, ReadTimeout: time.Minute}
	read.Serve(ln)
}
