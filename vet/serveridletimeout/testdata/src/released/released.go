package released

import (
	"context"
	"net"
	"net/http"
	"testing"
)

// A Server that the function making it closes, or shuts down, lives no
// longer than the function (or the test, for Cleanup).
func deferClose(l net.Listener) {
	srv := &http.Server{}
	defer srv.Close()
	srv.Serve(l)
}

func deferShutdown(ctx context.Context, l net.Listener) {
	srv := new(http.Server)
	defer srv.Shutdown(ctx)
	srv.Serve(l)
}

func cleanupClosure(t *testing.T, l net.Listener) {
	srv := &http.Server{Handler: http.NotFoundHandler()}
	t.Cleanup(func() { srv.Close() })
	go srv.Serve(l)
}

func deferredClosure(l net.Listener) {
	var srv *http.Server
	defer func() { srv.Close() }()
	srv = &http.Server{}
	srv.Serve(l)
}

func closedLater(l net.Listener) error {
	srv := &http.Server{}
	err := srv.Serve(l)
	srv.Close()
	return err
}

// Not so: a Server the function keeps or hands on, one closed elsewhere,
// or only in a branch, one made after the deferred Close took its
// receiver, or one made per iteration and closed after the loop; and
// http.Serve, whose Server no one can close.
var shared = &http.Server{} // want `http.Server without IdleTimeout or ReadTimeout keeps every idle connection for ever`

func closeShared() { defer shared.Close() }

func stop(srv *http.Server) { srv.Close() }

func elsewhere(l net.Listener) {
	srv := &http.Server{} // want `http.Server without IdleTimeout or ReadTimeout keeps every idle connection for ever`
	defer stop(srv)
	srv.Serve(l)
}

func kept(l net.Listener) *http.Server {
	srv := &http.Server{} // want `http.Server without IdleTimeout or ReadTimeout keeps every idle connection for ever`
	go srv.Serve(l)
	return srv
}

func inBranch(l net.Listener, done bool) {
	srv := &http.Server{} // want `http.Server without IdleTimeout or ReadTimeout keeps every idle connection for ever`
	go srv.Serve(l)
	if done {
		srv.Close()
	}
}

func deferBefore(l net.Listener) {
	srv := &http.Server{}
	defer srv.Close()
	srv = &http.Server{} // want `http.Server without IdleTimeout or ReadTimeout keeps every idle connection for ever`
	srv.Serve(l)
}

func afterLoop(ls []net.Listener) {
	var srv *http.Server
	for _, l := range ls {
		srv = &http.Server{} // want `http.Server without IdleTimeout or ReadTimeout keeps every idle connection for ever`
		go srv.Serve(l)
	}
	srv.Close()
}

func serveFunc(l net.Listener) {
	defer l.Close()
	http.Serve(l, nil) // want `http.Serve runs an http.Server with no timeouts: it keeps every idle connection for ever`
}
