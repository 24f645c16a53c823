// Package connleaktest fails a test that leaks HTTP connections and passes
// one that keeps a healthy pool, which a goroutine leak checker cannot tell
// apart: it judges net/http's goroutines with diagnose's classifier, in the
// test's own process.
//
// Call Check first in a test:
//
//	func TestCheckout(t *testing.T) {
//		connleaktest.Check(t)
//		...
//	}
//
// When the test ends, after its own cleanups, Check waits up to a Deadline
// for the connections being closed to go, then fails the test for what
// stays: more idle client connections than a shared pool keeps
// (idle-client-connections, a client or Transport made per call),
// response bodies not closed (response-bodies-not-closed), calls still
// waiting for a response (calls-without-timeout) or a connection
// (waiting-for-connection), dials under way (dials-without-timeout), and
// server connections left open (idle-server-connections). The failure
// names each finding, its count, the fix, and, where the test runs with
// GODEBUG=tracebackancestors=5, the file:line of the call that made them.
//
// Check labels the test's goroutine with pprof labels, which every
// goroutine it starts inherits, net/http's included, so it judges the
// test's own connections only, under t.Parallel too, and a body the test
// leaves open on a connection another test left idle in a shared pool.
// It judges only a look in which the test's connections are parked in
// their waits, never one taken while a connection is between two. VerifyNone judges
// the connections of the whole process that no running Check claims (what
// tests left after their checks included), as goleak's
// VerifyNone does; VerifyTestMain those left after all of a package's
// tests. Find returns the judgement as an error, for a program of its own.
//
// Beside goleak, GoleakOptions leave the HTTP goroutines to connleaktest,
// and Wrap makes a TestMain that runs both:
//
//	func TestMain(m *testing.M) {
//		goleak.VerifyTestMain(connleaktest.Wrap(m), connleaktest.GoleakOptions()...)
//	}
//
// Options: Deadline (how long to wait, DefaultDeadline by default) and
// Allow (how many of a finding a test may leave: DefaultIdle idle client
// connections, none of the rest).
package connleaktest
