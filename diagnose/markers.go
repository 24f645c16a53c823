package diagnose

import (
	"strings"

	"github.com/connleak/connleak/dump"
)

// marker is what marks one kind of goroutine in a dump, in the Go versions
// it names: the goroutine's entry function (Goroutine.Entry), a frame
// anywhere in its stack, or both. A name that
// ends in "*" matches every name it begins (closures are numbered
// differently from version to version). The first marker that matches, in
// the order of the table, says what the goroutine is.
type marker struct {
	kind     kind
	versions string   // the Go versions whose net/http writes it
	entry    []string // the entry function is one of these, if any is given
	has      []string // one of these is a frame of the stack, if any is given
	// innermost: the entry function is also the innermost frame outside
	// the runtime (a goroutine blocked in a select of its own).
	innermost bool
	source    string // where net/http (or golang.org/x/net/http2) says so
}

// h2 names the function named by suffix in each HTTP/2 implementation a
// program can run: net/http's bundled copy (go1.6 to go1.26), Go 1.27's
// net/http/internal/http2, and golang.org/x/net/http2, vendored or not. On
// Go 1.27, golang.org/x/net/http2 (v0.59 and later) wraps the standard
// library's, so its connections show net/http/internal/http2 frames.
func h2(suffix string) []string {
	return []string{"net/http.(*http2" + suffix, "net/http/internal/http2.(*" + suffix, "golang.org/x/net/http2.(*" + suffix, "*/vendor/golang.org/x/net/http2.(*" + suffix}
}

// connMarkers are what marks the goroutines of a connection: those a
// connection runs, and those dialling one.
var connMarkers = []marker{
	{kind: h2ServerConn, versions: "go1.6-go1.27", has: h2("serverConn).serve"),
		source: "(*http2serverConn).serve in h2_bundle.go, reached from (*conn).serve through http2ConfigureServer's closures; go1.27: internal/http2/server.go:757, from (*Server).serveHTTP2Conn (http2.go:102); x/net http2/server.go"},
	{kind: readLoopBody, versions: "go1.5-go1.27", entry: []string{"net/http.(*persistConn).readLoop"}, innermost: true,
		source: "transport.go, readLoop's select on waitForBodyRead (go1.21.13 :2239, go1.26.8 :2451, go1.27.3 :2617)"},
	{kind: readLoopIdle, versions: "go1.5-go1.27", entry: []string{"net/http.(*persistConn).readLoop"},
		source: "transport.go, readLoop's pc.br.Peek(1) (go1.21.13 :2118, go1.26.8 :2330, go1.27.3 :2493): idle, or a call in flight on it"},
	{kind: writeLoop, versions: "go1.5-go1.27", entry: []string{"net/http.(*persistConn).writeLoop"},
		source: "transport.go, writeLoop, started by dialConn (go1.27.3 :2124)"},
	{kind: h2ClientConn, versions: "go1.6-go1.27", entry: h2("ClientConn).readLoop"),
		source: "(*http2ClientConn).readLoop in h2_bundle.go (go1.26.8 :8171 starts it); go1.27: internal/http2/transport.go:1939; x/net http2/transport.go"},
	{kind: serverActive, versions: "go1.5-go1.27", entry: []string{"net/http.(*conn).serve"}, has: []string{"net/http.serverHandler.ServeHTTP"},
		source: "server.go, (*conn).serve running serverHandler{c.server}.ServeHTTP (go1.21.13 :2934, go1.27.3 :3427)"},
	{kind: serverActive, versions: "go1.5-go1.27", entry: []string{"net/http.(*conn).serve"},
		has:    []string{"net/textproto.readMIMEHeader", "net/textproto.(*Reader).ReadMIMEHeader", "net/textproto.(*Reader).readContinuedLineSlice"},
		source: "request.go, readRequest reading the header lines after the request line (go1.27.3: readRequestLimit, request.go:1098)"},
	{kind: serverAwaiting, versions: "go1.5-go1.27", entry: []string{"net/http.(*conn).serve"}, has: []string{"net/http.(*conn).readRequest"},
		source: "server.go, (*conn).readRequest waiting in textproto's ReadLine for a request line (go1.21.13 :999, go1.27.3 :1054): a first request, or, before go1.20 (and on go1.8-go1.19 with no IdleTimeout nor ReadTimeout), a kept-alive connection between requests"},
	{kind: serverAwaiting, versions: "go1.5-go1.27", entry: []string{"net/http.(*conn).serve"}, has: []string{"crypto/tls.(*Conn).HandshakeContext", "crypto/tls.(*Conn).Handshake"},
		source: "server.go, (*conn).serve's TLS handshake before a first request (go1.21.13 :1896, go1.27.3 :1991)"},
	{kind: serverIdle, versions: "go1.20-go1.27", entry: []string{"net/http.(*conn).serve"},
		source: "server.go, (*conn).serve's c.bufr.Peek(4) between requests (go1.21.13 :2049, go1.26.8 :2103, go1.27.3 :2193; since golang/go#54784)"},
	{kind: h2Handler, versions: "go1.6-go1.27", entry: h2("serverConn).runHandler"),
		source: "(*http2serverConn).runHandler in h2_bundle.go (go1.21.13 :6207); go1.27: internal/http2/server.go:2300"},
	{kind: handshake, versions: "go1.5-go1.27", entry: []string{"net/http.(*persistConn).addTLS.func*", "net/http.(*Transport).dialConn.func*"},
		has:    []string{"crypto/tls.(*Conn).HandshakeContext", "crypto/tls.(*Conn).Handshake"},
		source: "transport.go, the TLS handshake goroutine of a dial: addTLS's go func (go1.21.13 :1555, go1.27.3 :1803); before addTLS, dialConn's (go1.5-go1.12)"},
	{kind: dialing, versions: "go1.5-go1.27", has: []string{"net/http.(*Transport).dialConnFor", "net/http.(*Transport).dialConn"},
		source: "transport.go, a dial: dialConnFor (go1.13 and later; started by queueForDial, from go1.23 by startDialConnForLocked, go1.27.3 :1692); before go1.13, dialConn on a goroutine of getConn"},
}

// callMarkers are what marks the goroutine of whoever made a call, waiting
// for its response or for a connection.
var callMarkers = []marker{
	{kind: roundTrip, versions: "go1.5-go1.27", has: []string{"net/http.(*persistConn).roundTrip"},
		source: "transport.go, persistConn.roundTrip waiting for the response (go1.21.13 :2580, go1.27.3 :2994)"},
	{kind: h2RoundTrip, versions: "go1.6-go1.27",
		has:    append(append(append(h2("ClientConn).RoundTrip"), h2("ClientConn).roundTrip")...), h2("ClientConn).internalRoundTrip")...), h2("clientStream).waitOnHeaders")...),
		source: "(*http2ClientConn).RoundTrip (go1.6-go1.22), roundTrip (go1.23-go1.26) in h2_bundle.go; go1.27: internal/http2/transport.go:1128; x/net v0.59: internalRoundTrip"},
	{kind: getConn, versions: "go1.5-go1.27", has: []string{"net/http.(*Transport).getConn"},
		source: "transport.go, getConn waiting for a connection, its own dial's or a queued one's (go1.21.13 :1349, go1.27.3 :1583)"},
}

// kindOf is the kind the first of markers that g matches says, or other.
func kindOf(g *dump.Goroutine, markers []marker) kind {
	entry := g.Entry()
	for i := range markers {
		if m := &markers[i]; m.match(g, entry) { // not a copy of each marker
			return m.kind
		}
	}
	return other
}

func (m *marker) match(g *dump.Goroutine, entry string) bool {
	switch {
	case len(m.entry) > 0 && !matchesAny(entry, m.entry):
		return false
	case m.innermost && innermost(g) != entry:
		return false
	case len(m.has) > 0 && !hasAny(g, m.has):
		return false
	}
	return true
}

// matchesAny reports whether f is one of names, a name ending in "*"
// matching every name it begins and one beginning with "*" every name it
// ends.
func matchesAny(f string, names []string) bool {
	for _, n := range names {
		// The names' first and last bytes read directly: this runs for
		// every frame and name, and most names have no "*".
		switch {
		case n == "":
			if f == "" {
				return true
			}
		case n[len(n)-1] == '*' && strings.HasPrefix(f, n[:len(n)-1]),
			n[0] == '*' && strings.HasSuffix(f, n[1:]),
			f == n:
			return true
		}
	}
	return false
}

func hasAny(g *dump.Goroutine, names []string) bool {
	for _, f := range g.Frames {
		if matchesAny(f.Func, names) {
			return true
		}
	}
	return false
}

// innermost is the innermost frame outside the runtime.
func innermost(g *dump.Goroutine) string {
	for _, f := range g.Frames {
		if !strings.HasPrefix(f.Func, "runtime.") {
			return f.Func
		}
	}
	return ""
}
