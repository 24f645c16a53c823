// Package rawbodynotclosed defines an Analyzer for connleak's check
// raw-body-not-closed.
//
// # Analyzer rawbodynotclosed
//
// rawbodynotclosed: report Resty raw response bodies never closed
//
// SetDoNotParseResponse(true) makes a Resty response's body the caller's.
// This analyzer reports such a request whose response's RawBody() the
// function never closes: the body, and the connection under it, are then
// held until the server closes them, a readLoop and a writeLoop here and a
// conn.serve in the server. Defer resp.RawBody().Close(), and read it to
// the end first.
//
// It reads one function at a time, and asks for a Close of RawBody() (or
// RawBody() handed on, to a call or a return) anywhere in it: a Close on
// one path only is not told from a Close on every path.
package rawbodynotclosed
