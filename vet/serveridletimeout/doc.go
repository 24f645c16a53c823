// Package serveridletimeout defines an Analyzer for connleak's check
// server-idle-timeout.
//
// # Analyzer serveridletimeout
//
// serveridletimeout: report http.Servers that keep idle connections for ever
//
// An http.Server with neither IdleTimeout nor ReadTimeout holds every
// kept-alive connection its clients leave open, a conn.serve goroutine and
// a socket each, for ever. This analyzer reports such a Server literal, and
// http.ListenAndServe, ListenAndServeTLS, Serve and ServeTLS, which run a
// Server with no timeouts at all. Its fix sets IdleTimeout to 2 minutes;
// ReadHeaderTimeout bounds a connection that never sends its request.
package serveridletimeout
