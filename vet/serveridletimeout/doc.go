// Package serveridletimeout defines an Analyzer for connleak's check
// server-idle-timeout.
//
// # Analyzer serveridletimeout
//
// serveridletimeout: report http.Servers that keep idle connections for ever
//
// An http.Server with neither IdleTimeout nor ReadTimeout holds every
// kept-alive connection its clients leave open, a conn.serve goroutine and
// a socket each, for ever. This analyzer reports such a Server literal,
// new(http.Server) (the same as &http.Server{}), and
// http.ListenAndServe, ListenAndServeTLS, Serve and ServeTLS, which run a
// Server with no timeouts at all.
//
// Values are read as constants (go/constant), not by their spelling: a
// constant IdleTimeout or ReadTimeout of 0 or less is the same as none. A
// value known only at run time is trusted to be set. A literal bound to a
// variable is judged with what the package then assigns to the variable's
// IdleTimeout and ReadTimeout; so is new(http.Server). A Server bound to
// a variable of the function that makes it, which closes it or shuts it
// down (Close, Shutdown) deferred, in a deferred closure or a test's
// Cleanup, or later in a block around it with no loop in between, lives
// no longer than the function (or the test) and is not reported.
//
// The fix sets IdleTimeout to 2 minutes: it adds the field, or replaces a
// written-out 0, unless that value names a package other than time. It
// rewrites new(http.Server) as &http.Server{IdleTimeout: 2 * time.Minute},
// except as an operand, in the header of an if, for or switch (where a
// literal needs parentheses), or where a later statement sets IdleTimeout.
// ReadHeaderTimeout bounds a connection that never sends its request.
package serveridletimeout
