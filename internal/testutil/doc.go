// Package testutil holds what connleak's tests share: a buffer a server or
// a child process may write to while the test reads, a fake environment,
// polling with a deadline, an HTTP client with the helpers that fetch the
// lab servers' JSON, and large goroutine dumps made from small ones, for
// benchmarks. It imports nothing of the lab (neither server nor demo), so
// that every package's tests may use it.
package testutil
