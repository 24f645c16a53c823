// Package diagnose reads a goroutine dump and says which HTTP connections it
// holds, on which side, why, which line of the program made them, and the
// fix: the knowledge of connleak's lab, applied to anyone's dump. It is the
// library under `connleak diagnose`, for any program to call.
//
// Read diagnoses a dump from an io.Reader, in any format package dump
// reads, and returns a Report: the counts of the client's and the server's
// connections (Client, Server), and the Findings, the patterns that count
// too many, each with its fix, its link to docs/findings.md and the Sites
// that made its connections:
//
//	r, err := diagnose.Read(f)
//	for _, f := range r.Findings {
//		fmt.Println(f.ID, f.Count, f.Fix)
//	}
//
// Source reads a file, standard input or a running program's pprof
// goroutine endpoint, with Options (the form asked of a URL, a timeout,
// the CAs an https server may chain to); Watch takes several dumps of an
// endpoint and says which counts only grow (Growth). A program that reads
// the goroutines itself adds them to a Diagnosis. A dump writes where each
// call that made a goroutine returns to, not the call's own line; with the
// program's executable (OpenBinary, Options.Binary, Diagnosis.Binary) the
// Sites name the call's. A Report and a Growth
// marshal to stable JSON, and WriteText writes them in words. Findings and
// Info are the registry of findings: ids, thresholds, fixes, links.
//
// Every goroutine that belongs to an HTTP connection is classified by its
// functions and the shape of its stack, never by line numbers, so dumps of
// old and new Go versions read alike. markers.go holds the one table of
// what marks each kind in each Go version, go1.5 to go1.27, with the
// net/http source each entry comes from:
//
//	client, HTTP/1   net/http.(*persistConn).readLoop and writeLoop, a pair per connection;
//	                 the readLoop waits on the network (idle, or a call in flight) or in a
//	                 select for its response body to be read or closed (bodyUnread)
//	client, HTTP/2   the ClientConn's readLoop of net/http's bundled HTTP/2 (go1.6-go1.26),
//	                 net/http/internal/http2 (go1.27) or golang.org/x/net/http2
//	calls            net/http.(*persistConn).roundTrip or HTTP/2's RoundTrip: waiting for a
//	                 response (inFlight); a goroutine in net/http.(*Transport).dialConn:
//	                 dialing, its TLS handshake on a goroutine of its own (handshaking);
//	                 net/http.(*Transport).getConn with no dial for it: queued behind MaxConnsPerHost
//	server, HTTP/1   net/http.(*conn).serve: active while a handler runs or headers are
//	                 read; idle between requests, or waiting for a request line (awaitingRequest)
//	server, HTTP/2   the serverConn's serve loop of any HTTP/2 package
//
// The findings and their thresholds are in findings.go.
package diagnose
