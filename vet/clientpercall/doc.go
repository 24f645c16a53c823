// Package clientpercall defines an Analyzer for connleak's check
// client-per-call.
//
// # Analyzer clientpercall
//
// clientpercall: report HTTP clients and Transports made per call
//
// An http.Transport, an http.Client with a Transport of its own, or a
// Resty client is a connection pool. Made per call, inside a loop, inside
// an HTTP handler, or inside any function that does not keep it (return
// it, store it outside the function, hand it to something), each call
// makes a pool that nothing shares, and its idle connections stay: for
// ever with a bare Transport, 90 seconds with Resty's; a readLoop and a
// writeLoop each in this program, and a conn.serve in the server. Made
// once, in main or init or a package variable, kept and shared, it is the
// fix.
package clientpercall
