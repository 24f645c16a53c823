package connleaktest

import (
	"slices"
	"strings"
	"time"

	"github.com/connleak/connleak/dump"
)

// A goroutine of a connection says what holds the connection by the wait
// it is parked in: a readLoop in its select on the body is held by a body
// not read, one in its bufio.Reader's Peek is idle in the pool. Between
// two waits, running or runnable, it says nothing yet: a readLoop that has
// just handed its caller a response, and calls the request context's Done
// as it enters the select that waits for the body, reads as idle to
// diagnose, whose markers know the waits. A check does not judge a look in
// which one of its HTTP goroutines is between two waits; it looks again.

// settleEvery is how soon a check looks again when the one thing that
// held its last look was a goroutine between two waits (the first time:
// then twice as late each time, up to poll.Every).
const settleEvery = time.Millisecond

// settling reports whether g, a goroutine of the profile a check reads
// (pprof's protobuf form, which keeps the runtime's frames), is an HTTP
// goroutine (httpFunctions) that is not yet parked in a wait: running,
// runnable (preempted, or just started and not run yet), or queued for a
// mutex on its way.
func settling(g *dump.Goroutine) bool {
	return !waiting(g) && isHTTP(g)
}

// waiting reports whether g is parked in a wait of its own: blocked, the
// runtime's gopark its innermost frame, on a channel, the network, a
// timer or a condition, not on a mutex.
func waiting(g *dump.Goroutine) bool {
	if len(g.Frames) == 0 || g.Frames[0].Func != "runtime.gopark" {
		return false
	}
	for _, f := range g.Frames {
		switch {
		case strings.HasPrefix(f.Func, "runtime.") || strings.HasPrefix(f.Func, "internal/sync."):
			continue
		case slices.Contains(mutexes, f.Func):
			return false
		}
		return true
	}
	return true
}

// mutexes are the functions a goroutine queued for a sync.Mutex or
// sync.RWMutex, or for a network connection's own lock, is parked in,
// outside the runtime: sync's since Go 1.24, which hands a Mutex's queue to
// internal/sync, and before; internal/poll's for a connection read or
// written by two goroutines at once.
var mutexes = []string{
	"sync.(*Mutex).Lock", "sync.(*Mutex).lockSlow", "sync.(*RWMutex).Lock", "sync.(*RWMutex).RLock",
	"sync.runtime_SemacquireMutex", "sync.runtime_SemacquireRWMutex", "sync.runtime_SemacquireRWMutexR",
	"internal/poll.runtime_Semacquire",
}

// isHTTP reports whether g is a goroutine of an HTTP connection, or of a
// call on one: one of its frames is among httpFunctions.
func isHTTP(g *dump.Goroutine) bool {
	for _, f := range g.Frames {
		if slices.Contains(httpFunctions, f.Func) {
			return true
		}
	}
	return false
}
