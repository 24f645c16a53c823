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
// http.Transport literal with neither IdleConnTimeout nor
// DisableKeepAlives. Its fix sets IdleConnTimeout to 90 seconds, as
// http.DefaultTransport has it; cloning http.DefaultTransport is the other
// way. A Transport cloned from http.DefaultTransport is not a literal, and
// keeps its 90 seconds.
package transportidletimeout
