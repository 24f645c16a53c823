// Package transportidletimeout defines an Analyzer for connleak's check
// transport-idle-timeout.
//
// # Analyzer transportidletimeout
//
// transportidletimeout: report http.Transports that keep idle connections for ever
//
// A zero IdleConnTimeout keeps every idle connection, and its goroutines,
// for ever: a readLoop and a writeLoop each in this program, and a
// conn.serve in the server at the other end. This analyzer reports an
// http.Transport literal that sets neither IdleConnTimeout nor
// DisableKeepAlives, new(http.Transport) (the same as &http.Transport{}),
// and an assignment t.IdleConnTimeout = 0 to any Transport.
//
// golang.org/x/net/http2's Transport, whose zero IdleConnTimeout is no
// limit too (an h2c client's, AllowHTTP with a DialTLSContext that dials
// plain TCP), is judged the same where it is a literal or new: it has no
// DisableKeepAlives, and an assignment of 0 to its IdleConnTimeout is not
// reported, since one that ConfigureTransports returns then takes its
// HTTP/1 Transport's; a literal bound to a variable is judged with the
// most the package assigns to its IdleConnTimeout.
//
// Values are read as constants (go/constant), not by their spelling: a
// constant IdleConnTimeout of 0 or less, or a constant false
// DisableKeepAlives, is the same as none, and `DisableKeepAlives: keep`
// with `const keep = true` is set. An IdleConnTimeout known only at run
// time (a variable, a call, a configuration field) is trusted to be set. A
// DisableKeepAlives known only at run time is not taken as true: it is an
// option whose other value, false, often its default, keeps every idle
// connection for ever, so the finding stands, and says that it holds
// unless DisableKeepAlives is true (its fix is harmless then). A literal
// bound to a variable is judged with what the package then assigns to the
// variable's fields: `t := &http.Transport{}; t.IdleConnTimeout = d` is
// fine, `t.IdleConnTimeout = 0` is reported there.
//
// A Transport cloned from http.DefaultTransport keeps its 90 seconds, and
// is not reported, unless its IdleConnTimeout is then set to 0.
//
// A Transport that the function making it releases on its way out keeps
// no idle connection past it: CloseIdleConnections on the variable it is
// bound to, on an http.Client bound to a variable and given it in its
// literal, or on the field it is assigned to of a value the function
// makes (h.transport = &http.Transport{...}, then
// t.Cleanup(h.transport.CloseIdleConnections), h a local struct, or a
// local pointer given only &T{...} or new(T); the path goes through
// fields of struct values, not through a pointer field), deferred, called
// in a func literal that is deferred or handed to the Cleanup of a
// *testing.T, B or F (or a testing.TB), or handed to Cleanup as a method
// value (t.Cleanup(tr.CloseIdleConnections)), or called later in the
// block that makes it, or a block around that, with no loop in between; a
// Cleanup bounds it by the test rather than by the function. Only the
// function that makes the Transport counts, and only its own variables: a
// package's Transport, or one handed in, is used after the release, and
// keeps its idle connections from then on. What the Transport is used for
// after a deferred release (returned, stored) is not looked at. A
// DialContext that never makes a connection is not read either: such a
// Transport is reported unless it is released so. A Transport made once,
// in no loop, in a test function that closes an httptest.Server or an
// http.Server is not reported: the server's Close ends every idle
// connection to it (testserver.go).
//
// The fix sets IdleConnTimeout to 90 seconds, as http.DefaultTransport has
// it: it adds the field where it is absent, and replaces a written-out 0,
// unless that value names a package other than time (the edit could leave
// its import unused). It rewrites new(http.Transport) as a literal with
// the field, except as an operand or in the header of an if, for or switch
// (where a literal needs parentheses). Cloning http.DefaultTransport is
// the other way.
package transportidletimeout
