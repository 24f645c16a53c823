// Package testutil holds what connleak's tests share: a buffer a server or
// a child process may write to while the test reads, a fake environment,
// polling with a deadline, and an HTTP client with the helpers that fetch
// the lab servers' JSON. It imports nothing of the lab (neither server nor
// demo), so that every package's tests may use it.
package testutil
