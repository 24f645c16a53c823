package connleaktest

import "go.uber.org/goleak"

// httpFunctions are the functions of the goroutines connleaktest judges,
// in each Go version diagnose reads (markers.go has where each comes
// from): an HTTP connection's, client and server, HTTP/1 and HTTP/2,
// a dial's, and a call's waiting for a response or a connection.
var httpFunctions = []string{
	// HTTP/1 client: a connection, its dial, a call on it.
	"net/http.(*persistConn).readLoop",
	"net/http.(*persistConn).writeLoop",
	"net/http.(*Transport).dialConnFor",
	"net/http.(*persistConn).addTLS.func2", // a dial's TLS handshake, go1.26 and go1.27
	"net/http.(*persistConn).roundTrip",
	"net/http.(*Transport).getConn",
	// HTTP/1 server: a connection, and its read while a handler runs.
	"net/http.(*conn).serve",
	"net/http.(*connReader).backgroundRead",
	// HTTP/2, in each of its packages: net/http's bundled copy (to Go
	// 1.26), Go 1.27's net/http/internal/http2, golang.org/x/net/http2.
	"net/http.(*http2ClientConn).readLoop",
	"net/http.(*http2ClientConn).RoundTrip",
	"net/http.(*http2ClientConn).roundTrip",
	"net/http.(*http2clientStream).doRequest",
	"net/http.(*http2serverConn).serve",
	"net/http.(*http2serverConn).readFrames",
	"net/http.(*http2serverConn).runHandler",
	"net/http/internal/http2.(*ClientConn).readLoop",
	"net/http/internal/http2.(*ClientConn).RoundTrip",
	"net/http/internal/http2.(*ClientConn).roundTrip",
	"net/http/internal/http2.(*clientStream).doRequest",
	"net/http/internal/http2.(*serverConn).serve",
	"net/http/internal/http2.(*serverConn).readFrames",
	"net/http/internal/http2.(*serverConn).runHandler",
	"golang.org/x/net/http2.(*ClientConn).readLoop",
	"golang.org/x/net/http2.(*ClientConn).RoundTrip",
	"golang.org/x/net/http2.(*ClientConn).roundTrip",
	"golang.org/x/net/http2.(*clientStream).doRequest",
	"golang.org/x/net/http2.(*serverConn).serve",
	"golang.org/x/net/http2.(*serverConn).readFrames",
	"golang.org/x/net/http2.(*serverConn).runHandler",
}

// GoleakOptions are the options for goleak that leave the goroutines of
// HTTP connections, and of calls on them, to connleaktest: goleak still
// fails a test for every other goroutine it leaves (a server's accept
// loop included, for a server never closed), and connleaktest for the
// connections.
//
//	func TestX(t *testing.T) {
//		// In a Cleanup, registered first, it runs after the test's own
//		// cleanups (a server's Close), and after Check's.
//		t.Cleanup(func() { goleak.VerifyNone(t, connleaktest.GoleakOptions()...) })
//		connleaktest.Check(t)
//		...
//	}
func GoleakOptions() []goleak.Option {
	opts := make([]goleak.Option, len(httpFunctions))
	for i, f := range httpFunctions {
		opts[i] = goleak.IgnoreAnyFunction(f)
	}
	return opts
}
