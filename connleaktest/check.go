package connleaktest

import (
	"context"
	"net/http"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// checks numbers the calls of Check in this process.
var checks atomic.Int64

// Check judges the HTTP connections the test makes, when it ends: call it
// first in the test, as the connections made before it are not the
// test's, and so that its cleanup runs after the test's own (a server's
// Close, a client's CloseIdleConnections). It closes the idle connections
// of http.DefaultTransport, which earlier tests dialled, so that the
// test's calls on the default client dial their own. It labels the test's
// goroutine with pprof labels (LabelTest, LabelCheck), which every
// goroutine the test starts inherits, net/http's connections included,
// so it judges this test's connections only and is safe under t.Parallel.
// A test that has failed already is not judged.
//
// It passes a healthy pool: bodies read and closed, one client shared by
// every call, at most DefaultIdle connections left idle. It fails the test
// for connections that stay past the Deadline: a client made per call,
// bodies not closed, calls still waiting for a response, a server not
// closed. It passes only on a look in which the test's HTTP goroutines are
// parked in their waits, never on one taken while one of them is between
// two (a connection's readLoop that has just handed the test a response
// and not yet parked in its wait for the body), and looks again a
// millisecond later then.
//
// A connection carries the labels of the test that dialled it: one that
// an earlier test left idle in a shared pool (a package's client) is that
// test's to the labels. A body this test leaves open on it counts against
// this test all the same: a connection idle in a pool when the test began
// and held by a body when it ends was taken by the test. Unless another
// test's check ran beside it (t.Parallel): then nothing says which took
// it, the test passes, and the next VerifyNone, VerifyTestMain or Find
// fails, naming both. A call the test leaves waiting on such a connection
// is on its own goroutine, and counts against it in any case.
//
// The labels replace the ones the test's goroutine had; a pprof.Do inside
// the test keeps them only if its context comes from the test's.
func Check(t testing.TB, opts ...Option) {
	t.Helper()
	c := newConfig(opts, false)
	if c.err != nil {
		t.Fatal(c.err)
		return
	}
	s := scope{who: t.Name(), check: strconv.FormatInt(checks.Add(1), 10), goid: goid()}
	pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), pprof.Labels(LabelTest, t.Name(), LabelCheck, s.check)))
	// The default client's idle connections were dialled before, by other
	// tests: closed, so that this test's calls dial their own, with its
	// labels, and a body it leaves open on one counts against it.
	if tr, ok := http.DefaultTransport.(*http.Transport); ok {
		tr.CloseIdleConnections()
	}
	// The connections other tests left idle in pools this one may share:
	// a body it leaves open on one it takes is its own.
	s.pool = startPool()
	startRun(s.check, s.who)
	t.Cleanup(func() {
		t.Helper()
		defer endRun(s.check) // what the test left is the process's from now on
		if t.Failed() || t.Skipped() {
			return
		}
		if err := find(s, c); err != nil {
			t.Error(err)
		}
	})
}

// VerifyNone judges now, waiting up to the Deadline for what is being
// closed, the HTTP connections of the process that no running Check
// claims, as goleak.VerifyNone judges goroutines, in a test that does not
// run in parallel with others, and the bodies Find fails for once.
// Registered first as a Cleanup,
// t.Cleanup(func() { connleaktest.VerifyNone(t) }), it runs after what the
// test closes in its own cleanups; deferred, before them.
func VerifyNone(t testing.TB, opts ...Option) {
	t.Helper()
	if err := Find(opts...); err != nil {
		t.Error(err)
	}
}

// goid is the ID of the calling goroutine, which a dump with ancestors
// names in the ancestors of every goroutine it starts.
func goid() int {
	var buf [64]byte
	s := strings.TrimPrefix(string(buf[:runtime.Stack(buf[:], false)]), "goroutine ")
	id, _ := strconv.Atoi(s[:max(strings.IndexByte(s, ' '), 0)])
	return id
}
