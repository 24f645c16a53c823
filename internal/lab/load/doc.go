// Package load is connleak's load generator: the Resty demo's curl loop, built
// in. Run sends GET requests to one URL, one after the other or several at
// once, each on a new connection as curl does unless told to keep them
// alive, and sums up the replies: counts by status, latencies, and the
// goroutine counts a /forward reply carries.
package load
