// Package scenario is the one catalogue of connleak's scenarios: each is a
// pattern of HTTP connection handling, how the lab reproduces it, what it
// does to the goroutines of both servers, and what `connleak diagnose` must
// name on each server's dump. The demo, the bench, the tests and the
// connleak command read it; it points at the ids of package diagnose and
// of vet's checks (package checkid, a leaf, so that the lab server links
// none of the analysis framework), which know nothing of it.
package scenario

import (
	"fmt"
	"go/version"
	"net/http"
	"runtime"
	"slices"
	"strings"

	"github.com/connleak/connleak/diagnose"
	"github.com/connleak/connleak/internal/checkid"
)

// Verdict is what a scenario does to the goroutine counts.
type Verdict string

// The verdicts.
const (
	Leaks    Verdict = "LEAKS"    // grows with every request and stays after the idle wait
	Recovers Verdict = "RECOVERS" // grows with the requests, then goes back to baseline
	Flat     Verdict = "FLAT"     // does not grow with the requests
)

// The findings of `connleak diagnose` the rows expect, by the catalogue's
// short names: the ids, when each is named and its fix are package
// diagnose's.
const (
	IdleClientConnections = diagnose.IdleClientConnections
	BodiesNotClosed       = diagnose.BodiesNotClosed
	IdleServerConnections = diagnose.IdleServerConnections
	CallsWithoutTimeout   = diagnose.CallsWithoutTimeout
	WaitingForConnection  = diagnose.WaitingForConnection
	DialsWithoutTimeout   = diagnose.DialsWithoutTimeout
)

// The checks of `connleak vet` that flag the rows' patterns in code, by
// the catalogue's short names: the ids are package checkid's, and how each
// is found package vet's.
const (
	CheckTransportIdleTimeout = checkid.TransportIdleTimeout
	CheckClientPerCall        = checkid.ClientPerCall
	CheckServerIdleTimeout    = checkid.ServerIdleTimeout
	CheckBodyNotClosed        = checkid.BodyNotClosed
)

// Goroutines is a number of goroutines on each server.
type Goroutines struct{ Server2, Server1 int }

// The goroutines of one held connection: a readLoop and a writeLoop on the
// client and a conn.serve on the server over HTTP/1.1; over HTTP/2 a
// readLoop on the client, and on the server its serve loop and the
// goroutine that reads its frames.
var (
	http1Conn = Goroutines{2, 1}
	http2Conn = Goroutines{1, 2}
	none      = Goroutines{}
	// handshakeConn is a dial stuck in its TLS handshake: the dial's
	// goroutine and the handshake's on the client, a conn.serve in its
	// handshake on the server.
	handshakeConn = Goroutines{2, 1}
)

// Scenario is one row of the physics table: a /forward configuration, what
// the servers are started with, and what it must do.
type Scenario struct {
	Name string
	// Seed names, in words, where the pattern comes from: "Resty blog"
	// (the post "Managing HTTP Connections in Go: Preventing Go Routine
	// Leaks"), "Resty demo" (its sample project, the walkthrough this lab
	// keeps), "connection-reuse blog" (the post "HTTP Connection reuse in
	// Go clients"), "http.Client leak question" (the question "Diagnosing
	// and preventing goroutine leaks with http.Client in Go
	// microservices"), a net/http setting, or "production:" and what
	// production services met. It is short: the demo's table prints it.
	Seed string
	// SourceURL is where to read about it, where a public page exists: the
	// source itself, or the Go issue or net/http documentation that
	// explains the pattern; "" where there is none.
	SourceURL string

	Query string   // the /forward query
	Env1  []string // server 1's environment
	Env2  []string // server 2's environment, beyond UPSTREAM_URL
	// Concurrency is how many requests are sent at once; 0 or 1, one
	// after the other, as the Resty demo's curl loop does.
	Concurrency int
	// Requests, where not 0, is how many requests the scenario takes,
	// whatever the demo's -n: the rows that need concurrency are about a
	// moment, not a count.
	Requests int
	Want     Verdict
	// PerRequest is the goroutines each sequential request adds, while the
	// requests come; PerConn those of one held connection.
	PerRequest, PerConn Goroutines
	// Pooled is how many connections stay pooled once the requests stop.
	Pooled int
	// Status is the status of every /forward reply.
	Status int
	// Finding2 and Finding1 are the findings diagnose names on server 2's
	// and server 1's goroutine dumps ("" for none): at the end of the
	// scenario, after the idle wait, or, with DiagnoseDuring, while every
	// request of the first wave is in flight.
	Finding2, Finding1 string
	DiagnoseDuring     bool
	// Checks are the checks of connleak vet that flag the scenario's
	// pattern in code.
	Checks  []string
	Explain string
	// Changes are how the row's physics changed in later Go versions; All
	// and Select give the row as the running Go version has it.
	Changes []Change
}

// Change is how a row behaves from a Go version on: its fields replace the
// row's verdict, pooled connections and explanation.
type Change struct {
	Since   string // the first Go version that behaves so, such as "go1.27"
	Want    Verdict
	Pooled  int
	Explain string
}

// OnGo is the row as Go version v (such as runtime.Version()) has it: with
// every change since a version up to v applied.
func (s Scenario) OnGo(v string) Scenario {
	for _, c := range s.Changes {
		if version.Compare(v, c.Since) >= 0 {
			s.Want, s.Pooled, s.Explain = c.Want, c.Pooled, c.Explain
		}
	}
	return s
}

// all is the catalogue: the physics table, then the rows of production's
// protocols and failures.
var all = []Scenario{
	{Name: "leak", Seed: "Resty blog, Resty demo", SourceURL: "https://github.com/KevFan/resty-go-routine-http-connection-leak", Query: "client=new&transport=custom", Want: Leaks, PerRequest: http1Conn, PerConn: http1Conn,
		Status: http.StatusOK, Finding2: IdleClientConnections, Finding1: IdleServerConnections,
		Checks:  []string{CheckClientPerCall, CheckTransportIdleTimeout, CheckServerIdleTimeout},
		Explain: "A new Resty client per request with a bare &http.Transport{}: IdleConnTimeout 0 keeps every idle connection for ever. Server 2 keeps a readLoop and a writeLoop per request, server 1 a conn.serve."},
	{Name: "resty-default", Seed: "Resty blog's claim", SourceURL: "https://github.com/go-resty/resty/blob/master/transport.go#L17-L35", Query: "client=new&transport=resty", Want: Leaks, PerRequest: http1Conn, PerConn: http1Conn,
		Status: http.StatusOK, Finding2: IdleClientConnections, Finding1: IdleServerConnections,
		Checks:  []string{CheckClientPerCall},
		Explain: "A new client per request with Resty's own Transport: its IdleConnTimeout is 90s, so every connection stays 90 seconds. Not a fix: under steady traffic the last 90 seconds of connections are always held."},
	{Name: "idle-timeout", Seed: "Resty blog, Resty demo", SourceURL: "https://github.com/KevFan/resty-go-routine-http-connection-leak", Query: "client=new&idleConnTimeout=1s", Want: Recovers, PerRequest: http1Conn, PerConn: http1Conn,
		Status:  http.StatusOK,
		Explain: "IdleConnTimeout: 1s on the Transport (the Resty demo's second fix). Connections still pile up while requests come, then close one second after their last use."},
	{Name: "no-keepalive", Seed: "the Resty demo", SourceURL: "https://github.com/KevFan/resty-go-routine-http-connection-leak", Query: "client=new&disableKeepAlives=true", Want: Flat, PerConn: http1Conn,
		Status:  http.StatusOK,
		Explain: "DisableKeepAlives: true (the Resty demo's first fix): each connection is closed after its request. Nothing is held; every request dials."},
	{Name: "conn-close", Seed: "Resty blog, Resty demo", SourceURL: "https://github.com/KevFan/resty-go-routine-http-connection-leak", Query: "client=new&connClose=true", Want: Flat, PerConn: http1Conn,
		Status:  http.StatusOK,
		Explain: "Server 1 answers Connection: close (the Resty demo's third fix), so both sides close after the reply. It protects server 1 from clients it cannot fix."},
	{Name: "server-idle-timeout", Seed: "net/http: Server.IdleTimeout", SourceURL: "https://pkg.go.dev/net/http#Server.IdleTimeout", Query: "client=new", Env1: []string{"SERVER_IDLE_TIMEOUT=1s"}, Want: Recovers, PerRequest: http1Conn, PerConn: http1Conn,
		Status:  http.StatusOK,
		Explain: "http.Server.IdleTimeout: 1s on server 1: the server closes idle connections, and the client's readLoop sees the close and exits. Every Go server should set it."},
	{Name: "shared-client", Seed: "http.Client leak question", Query: "client=shared", Want: Flat, PerConn: http1Conn, Pooled: 1,
		Status:  http.StatusOK,
		Explain: "One client, reused: one pooled connection for every request. The fix for real code, with a bounded IdleConnTimeout."},
	{Name: "body-leave-open", Seed: "connection-reuse blog", Query: "client=shared&body=leave-open", Want: Leaks, PerRequest: http1Conn, PerConn: http1Conn,
		Status: http.StatusOK, Finding2: BodiesNotClosed, Finding1: IdleServerConnections,
		Checks:  []string{CheckBodyNotClosed},
		Explain: "A shared client, but the body is neither read nor closed: the connection is never handed back, so every request dials a new one, and none is ever closed."},
	{Name: "body-close-undrained", Seed: "connection-reuse blog", Query: "client=shared&body=close", Want: Flat, PerConn: http1Conn,
		Status:  http.StatusOK,
		Explain: "The body is closed unread: the transport cannot reuse the connection, so it closes it. Nothing leaks, but every request dials.",
		Changes: []Change{{Since: "go1.27", Want: Flat, Pooled: 2,
			Explain: "The body is closed unread, and Go 1.27 drains what is left of it (up to 256 KiB, within 50 ms) before giving the connection back: this small body's connection is reused, but for a call that starts before the drain ends. Up to Go 1.26 it was closed, and every request dialled."}}},
	{Name: "body-close-large", Seed: "connection-reuse blog", Query: "client=shared&body=close&bodySize=300000", Want: Flat, PerConn: http1Conn,
		Status:  http.StatusOK,
		Explain: "A body of 300 KB closed unread: above Go 1.27's drain limit (256 KiB), the transport throws the connection away on every Go version, and every request dials. Read to the end what you want to reuse the connection of."},
	{Name: "body-drain-close", Seed: "connection-reuse blog", Query: "client=shared&body=drain-close", Want: Flat, PerConn: http1Conn, Pooled: 1,
		Status:  http.StatusOK,
		Explain: "The body is read to the end, then closed (the connection-reuse blog's fix): the connection goes back to the pool and is reused."},
	{Name: "timeout", Seed: "http.Client leak question", Query: "client=shared&timeout=10ms&delay=1s", Want: Flat, PerConn: http1Conn,
		Status:  http.StatusGatewayTimeout,
		Explain: "A client timeout shorter than server 1's delay: every request is a 504, the client closes the connection it gave up on, and server 1's handler sees its caller leave."},

	// HTTP/2, TLS, and upstreams that stall: server 1 serves what
	// SERVER_PROTO says, over TLS with a certificate of the lab CA.
	{Name: "h2-leak", Seed: "production: HTTP/2", SourceURL: "https://pkg.go.dev/net/http#hdr-HTTP_2", Query: "client=new&proto=h2", Env1: []string{"SERVER_PROTO=h2"}, Want: Leaks, PerRequest: http2Conn, PerConn: http2Conn,
		Status: http.StatusOK, Finding2: IdleClientConnections, Finding1: IdleServerConnections,
		Checks:  []string{CheckClientPerCall},
		Explain: "A client per request over HTTP/2 over TLS: the 2:1 of HTTP/1.1 turns into 1:2. Server 2 keeps one readLoop per connection; server 1 keeps two goroutines, the connection's serve loop and its frame reader, and a TLS session."},
	{Name: "h2-shared", Seed: "production: HTTP/2", SourceURL: "https://pkg.go.dev/net/http#hdr-HTTP_2", Query: "client=shared&forceAttemptHTTP2=true", Env1: []string{"SERVER_PROTO=h2"}, Concurrency: 40, Want: Recovers, PerConn: http2Conn, Pooled: 1,
		Status:  http.StatusOK,
		Explain: "One client whose Transport has a TLSClientConfig and ForceAttemptHTTP2: one HTTP/2 connection carries every request, 40 at once, as concurrent streams. Goroutines rise only with the requests being answered."},
	{Name: "h2-idle-timeout", Seed: "production: HTTP/2", SourceURL: "https://pkg.go.dev/net/http#hdr-HTTP_2", Query: "client=new&proto=h2&idleConnTimeout=1s", Env1: []string{"SERVER_PROTO=h2"}, Want: Recovers, PerRequest: http2Conn, PerConn: http2Conn,
		Status:  http.StatusOK,
		Explain: "IdleConnTimeout: 1s on a client per request over HTTP/2: on this Go version the Transport closes idle HTTP/2 connections too, one second after their last stream."},
	{Name: "h2-server-idle-timeout", Seed: "production: HTTP/2", SourceURL: "https://pkg.go.dev/net/http#hdr-HTTP_2", Query: "client=new&proto=h2", Env1: []string{"SERVER_PROTO=h2", "SERVER_IDLE_TIMEOUT=1s"}, Want: Recovers, PerRequest: http2Conn, PerConn: http2Conn,
		Status:  http.StatusOK,
		Explain: "http.Server.IdleTimeout: 1s on an HTTP/2 server 1: it sends GOAWAY and closes connections idle for a second, and the client's readLoop exits."},
	{Name: "h2c-leak", Seed: "production: HTTP/2", SourceURL: "https://pkg.go.dev/net/http#hdr-HTTP_2", Query: "client=new&proto=h2c", Env1: []string{"SERVER_PROTO=h2c"}, Want: Leaks, PerRequest: http2Conn, PerConn: http2Conn,
		Status: http.StatusOK, Finding2: IdleClientConnections, Finding1: IdleServerConnections,
		Checks:  []string{CheckClientPerCall},
		Explain: "The same leak over HTTP/2 without TLS (h2c, prior knowledge): 1:2 as over TLS."},
	{Name: "tls-leak", Seed: "production: TLS", Query: "client=new&proto=h1", Env1: []string{"SERVER_PROTO=h2"}, Want: Leaks, PerRequest: http1Conn, PerConn: http1Conn,
		Status: http.StatusOK, Finding2: IdleClientConnections, Finding1: IdleServerConnections,
		Checks:  []string{CheckClientPerCall},
		Explain: "A client per request over HTTP/1.1 over TLS: 2:1 as in plain text, and each held connection also keeps its TLS session's buffers on both sides (MEM/CONN)."},
	{Name: "tls-h1-fallback", Seed: "net/http: ForceAttemptHTTP2", SourceURL: "https://pkg.go.dev/net/http#Transport.ForceAttemptHTTP2", Query: "client=shared", Env1: []string{"SERVER_PROTO=h2"}, Concurrency: 40, Want: Recovers, PerConn: http1Conn, Pooled: 2,
		Status:  http.StatusOK,
		Explain: "One client with a bare Transport given a TLSClientConfig, 40 requests at once: without ForceAttemptHTTP2 it speaks HTTP/1.1 where HTTP/2 was expected, opens a connection per concurrent request, and keeps only MaxIdleConnsPerHost (2) of them: the rest are closed and dialled again."},
	{Name: "hung-upstream", Seed: "production: hung upstream", SourceURL: "https://pkg.go.dev/net/http#Client.Timeout", Query: "client=shared&stall=true", Env2: []string{"FORWARD_CALL_CEILING=2s"}, Concurrency: 100, Requests: 100, Want: Recovers, PerConn: http1Conn,
		Status: http.StatusGatewayTimeout, Finding2: CallsWithoutTimeout, DiagnoseDuring: true,
		Explain: "Server 1 accepts and never answers, 100 calls at once with no timeout: each holds a /forward handler, a connection's readLoop and writeLoop, and a socket, until FORWARD_CALL_CEILING (2s here) cuts it with a 504. In production, with no ceiling, they pile up for ever."},
	{Name: "hung-upstream-timeout", Seed: "production: hung upstream", SourceURL: "https://pkg.go.dev/net/http#Client.Timeout", Query: "client=shared&stall=true&timeout=100ms", Concurrency: 100, Requests: 100, Want: Recovers, PerConn: http1Conn,
		Status:  http.StatusGatewayTimeout,
		Explain: "The fix: a client timeout (100ms). The same calls end on their own, each a 504, and what they hold lasts the timeout, not the stall."},
	{Name: "conn-queue", Seed: "net/http: MaxConnsPerHost", SourceURL: "https://pkg.go.dev/net/http#Transport.MaxConnsPerHost", Query: "client=shared&maxConnsPerHost=2&delay=100ms", Concurrency: 40, Requests: 80, Want: Recovers, PerConn: http1Conn, Pooled: 2,
		Status: http.StatusOK, Finding2: WaitingForConnection, DiagnoseDuring: true,
		Explain: "MaxConnsPerHost: 2 with server 1 taking 100ms, 40 calls at once: 2 are answered at a time and 38 wait for a connection, so latency grows with the queue (the P99 column) while server 1 sees only 2 connections."},
	{Name: "conn-queue-fix", Seed: "net/http: MaxConnsPerHost", SourceURL: "https://pkg.go.dev/net/http#Transport.MaxConnsPerHost", Query: "client=shared&maxConnsPerHost=40&maxIdleConnsPerHost=40&idleConnTimeout=1s&delay=100ms", Concurrency: 40, Requests: 80, Want: Recovers, PerConn: http1Conn,
		Status:  http.StatusOK,
		Explain: "The fix, and its price: MaxConnsPerHost as high as the concurrency gives every call a connection, so latency is back to server 1's delay, and server 1 holds 40 connections and 40 goroutines instead of 2, pooled until IdleConnTimeout (1s here) closes them."},
	{Name: "handshake-stall", Seed: "production: TLS handshakes", SourceURL: "https://github.com/golang/go/issues/59017", Query: "client=shared&stallHandshake=true", Env1: []string{"SERVER_PROTO=h2"}, Env2: []string{"FORWARD_CALL_CEILING=2s"}, Concurrency: 100, Requests: 100, Want: Leaks, PerConn: handshakeConn,
		Status: http.StatusGatewayTimeout, Finding2: DialsWithoutTimeout, Finding1: IdleServerConnections, DiagnoseDuring: true,
		Explain: "Server 1 accepts and never finishes the TLS handshake, 100 calls at once through a Transport with no TLSHandshakeTimeout: FORWARD_CALL_CEILING (2s here) cuts every call with a 504, but since Go 1.23 a dial outlives its call, so the 100 dials stay, each a dial goroutine, a handshake goroutine and a socket, across from a conn.serve on server 1, until POST /reset. Production met it on Go 1.11 and 1.12, whose handshakes did not watch the call at all."},
	{Name: "handshake-timeout", Seed: "production: TLS handshakes", SourceURL: "https://pkg.go.dev/net/http#Transport.TLSHandshakeTimeout", Query: "client=shared&stallHandshake=true&tlsHandshakeTimeout=100ms", Env1: []string{"SERVER_PROTO=h2"}, Concurrency: 100, Requests: 100, Want: Recovers, PerConn: handshakeConn,
		Status:  http.StatusGatewayTimeout,
		Explain: "The fix: TLSHandshakeTimeout 100ms on the Transport (http.DefaultTransport has 10s). Each dial gives up its handshake after 100ms and closes its socket, the call answers 504, and server 1's connection ends with it: nothing is left."},
}

// All returns the catalogue, in the order of the physics table, each row as
// the running Go version has it (the servers are built with the same Go as
// the demo and the tests that read it). The slice is the caller's: changing
// it leaves the catalogue as it is.
func All() []Scenario {
	out := slices.Clone(all)
	for i := range out {
		out[i] = out[i].OnGo(runtime.Version())
		out[i].Env1, out[i].Env2, out[i].Checks, out[i].Changes = slices.Clone(out[i].Env1), slices.Clone(out[i].Env2), slices.Clone(out[i].Checks), slices.Clone(out[i].Changes)
	}
	return out
}

// Select returns the scenarios named in the comma-separated list, in
// catalogue order; an empty list is all of them. Like All, the slice is the
// caller's.
func Select(list string) ([]Scenario, error) {
	if strings.TrimSpace(list) == "" {
		return All(), nil
	}
	want := make(map[string]bool)
	for name := range strings.SplitSeq(list, ",") {
		name = strings.TrimSpace(name)
		if !slices.ContainsFunc(all, func(s Scenario) bool { return s.Name == name }) {
			return nil, fmt.Errorf("unknown scenario %q: accepted are %s", name, Names())
		}
		want[name] = true
	}
	return slices.DeleteFunc(All(), func(s Scenario) bool { return !want[s.Name] }), nil
}

// ForCheck is the first scenario whose pattern the vet check flags: the
// lab's reproduction of what it finds in code.
func ForCheck(check string) (Scenario, bool) {
	for _, s := range all {
		if slices.Contains(s.Checks, check) {
			return s, true
		}
	}
	return Scenario{}, false
}

// ForFinding is the first scenario on whose dumps diagnose names the
// finding id: the lab's reproduction of what it finds in a dump.
func ForFinding(id string) (Scenario, bool) {
	for _, s := range all {
		if s.Finding2 == id || s.Finding1 == id {
			return s, true
		}
	}
	return Scenario{}, false
}

// Names lists the scenarios' names, comma-separated.
func Names() string {
	n := make([]string, len(all))
	for i, s := range all {
		n[i] = s.Name
	}
	return strings.Join(n, ", ")
}

// Curl is the command that reproduces the scenario by hand against the
// README's two servers.
func (s Scenario) Curl(n int) string {
	env := ""
	if len(s.Env1) > 0 {
		env = "# server 1 started with " + strings.Join(s.Env1, " ") + "\n"
	}
	if len(s.Env2) > 0 {
		env += "# server 2 started with " + strings.Join(s.Env2, " ") + "\n"
	}
	if s.Requests > 0 {
		n = s.Requests
	}
	if s.Concurrency > 1 {
		return fmt.Sprintf("%sconnleak load -c %d -n %d 'http://localhost:9090/forward?%s'", env, s.Concurrency, n, s.Query)
	}
	return fmt.Sprintf("%sfor i in {1..%d}; do curl -s 'localhost:9090/forward?%s'; echo \"\"; done", env, n, s.Query)
}
