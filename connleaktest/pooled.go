package connleaktest

import (
	"bytes"
	"fmt"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"

	"github.com/connleak/connleak/diagnose"
	"github.com/connleak/connleak/dump"
)

// A connection carries the labels of the goroutine that dialled it, for
// ever: one that an earlier test dialled into a shared pool (a package's
// client) and this test takes for a call is the earlier test's to the
// labels. What this test leaves on it shows anyway: a call left waiting
// is on the test's own goroutine, and so judged as the test's; a body left
// open holds the connection's readLoop, the earlier test's. So a check
// knows how many readLoops of each other label set waited idle in their
// pool when its test began; when the test ends, those of a label set held
// by a body, past as many as were held at the start, were taken by this
// test, as many at most as were idle. Unless another test ran beside it:
// then nothing says which of them took the connection, and the check
// leaves it to the whole process's check, which fails for it (note).
//
// What the pools held at the start costs no goroutine profile of its own
// where the last look of a check saw them and nothing has started since
// (startPool): a test's check looks last as the test ends, and the next
// test starts on one new goroutine.

// readLoop is the function of an HTTP/1 client connection's goroutine
// that reads its responses, and between them waits in the pool for the
// next (diagnose's markers.go).
const readLoop = "net/http.(*persistConn).readLoop"

// readLoops counts the readLoops of a label set: parked idle in their
// pool, parked held by a body, and between two waits.
type readLoops struct {
	idle, held, settling int
}

// A pool is what a test's check knows of the readLoops of the process when
// its test began.
type pool struct {
	// at are, per label set, its readLoops; nil until read from profile.
	at map[string]*readLoops
	// profile is this process's goroutine profile as Check was called, at
	// debug=1 (of the three forms, the quickest to write where goroutines
	// are few), read only if a look needs it; nil where the last look
	// said.
	profile []byte
}

// lastLook is what the last look of a check saw of this process's
// readLoops: as they are still, if no goroutine has started since, or
// just the one a new test runs on.
var lastLook = struct {
	sync.Mutex
	ok        bool
	created   uint64                // goroutines created in the process before it
	readLoops map[string]*readLoops // per label set; not changed once kept
}{}

// goroutinesCreated is how many goroutines the process has created.
func goroutinesCreated() uint64 {
	s := []metrics.Sample{{Name: "/sched/goroutines-created:goroutines"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0 // not a metric of this runtime: every test reads its own profile
	}
	return s[0].Value.Uint64()
}

// remember keeps a look's readLoops, counted after created goroutines
// had been, for the next checks' start, unless a later look's are kept.
func remember(created uint64, loops map[string]*readLoops) {
	lastLook.Lock()
	defer lastLook.Unlock()
	if lastLook.ok && created < lastLook.created {
		return
	}
	lastLook.ok, lastLook.created, lastLook.readLoops = true, created, loops
}

// startPool says what the pools of the process hold as a test begins: what
// the last look saw, if at most one goroutine has started since (the
// test's own, as the testing package starts each test on one), and
// otherwise this process's goroutine profile, read if the test's looks
// need it.
func startPool() *pool {
	created := goroutinesCreated()
	lastLook.Lock()
	seen := lastLook.ok && created != 0 && created-lastLook.created <= 1
	at := lastLook.readLoops
	lastLook.Unlock()
	if seen {
		return &pool{at: at}
	}
	return profilePool()
}

// profilePool is what the pools of the process hold now, from its
// goroutine profile, read if a look needs it.
func profilePool() *pool {
	var b bytes.Buffer
	if err := writeProfile(&b, 1); err != nil {
		return &pool{at: map[string]*readLoops{}} // nothing to compare with: nothing taken
	}
	return &pool{profile: b.Bytes()}
}

// countReadLoop counts g in loops if it is a readLoop, by what it waits
// for. withRuntime says whether g's stack has the runtime's frames, as a
// profile at debug=0 does, which say whether it is parked; at debug=1,
// without them, a readLoop parked anywhere else than in its Peek or its
// wait for the body counts as neither.
func countReadLoop(loops map[string]*readLoops, g *dump.Goroutine, withRuntime bool) {
	if g.Entry() != readLoop {
		return
	}
	n := loops[g.Labels]
	if n == nil {
		n = &readLoops{}
		loops[g.Labels] = n
	}
	switch {
	case withRuntime && !waiting(g):
		n.settling += g.Count
	case idleInPool(g):
		n.idle += g.Count
	case heldByBody(g):
		n.held += g.Count
	}
}

// idleInPool reports whether g, a readLoop, waits for the network in its
// bufio.Reader's Peek (transport.go's pc.br.Peek(1)): idle in its pool, or
// waiting for a response to a call on it.
func idleInPool(g *dump.Goroutine) bool {
	return slices.ContainsFunc(g.Frames, func(f dump.Frame) bool { return f.Func == "bufio.(*Reader).Peek" })
}

// heldByBody reports whether g, a readLoop, is held by a response body,
// as diagnose reads it.
func heldByBody(g *dump.Goroutine) bool {
	d := diagnose.Diagnosis{NoSites: true}
	d.Add(&dump.Goroutine{Count: 1, Frames: g.Frames})
	return d.Report("").Client.BodyUnread > 0
}

// taken says, of a look's readLoops, how many of other label sets than
// check's, idle in their pool at the start, it finds held by a body: taken
// by the test, or by a test beside it; from the label sets of which tests,
// by their LabelTest; and how many of those label sets' readLoops it finds
// between two waits.
func (p *pool) taken(check string, loops map[string]*readLoops) (taken int, from []string, settling int) {
	if p == nil {
		return 0, nil, 0
	}
	for labels, n := range loops {
		if n.held == 0 && n.settling == 0 || checkOf(labels) == check {
			continue
		}
		at := p.start()[labels]
		if at == nil || at.idle == 0 {
			continue // no connection of it to take
		}
		settling += n.settling
		if t := min(at.idle, n.held-at.held); t > 0 {
			taken += t
			if test := labelOf(labels, LabelTest); !slices.Contains(from, test) {
				from = append(from, test)
			}
		}
	}
	slices.Sort(from)
	return taken, from, settling
}

// start is, per label set, its readLoops when the test began.
func (p *pool) start() map[string]*readLoops {
	if p.at == nil {
		p.at = map[string]*readLoops{}
		dump.Read(bytes.NewReader(p.profile), func(g *dump.Goroutine) { countReadLoop(p.at, g, false) })
	}
	return p.at
}

// dialledBy says who dialled the connections of the label sets of tests,
// in a failure.
func dialledBy(tests []string) string {
	var named []string
	for _, t := range tests {
		if t != "" {
			named = append(named, t)
		}
	}
	switch {
	case len(named) == 0:
		return "code that ran no Check"
	case len(named) < len(tests):
		return strings.Join(named, ", ") + " and code that ran no Check"
	}
	return strings.Join(named, ", ")
}

// takenMessage is what a test's failure adds to its bodies not closed,
// for those on connections it took from a shared pool.
func takenMessage(n int, from []string) string {
	if n == 1 {
		return fmt.Sprintf(" 1 of them on a connection idle in a shared pool when the test began, which %s dialled.", dialledBy(from))
	}
	return fmt.Sprintf(" %d of them on connections idle in a shared pool when the test began, which %s dialled.", n, dialledBy(from))
}

// unattributed are the bodies that checks found held on connections taken
// from a shared pool and could not call their tests', other tests having
// run beside them: the next check of the whole process fails for them.
var unattributed = struct {
	sync.Mutex
	problems []Problem
}{}

// note records, for the whole process's next check, n bodies held on
// connections of from's pools, taken by test or one of beside.
func note(test string, beside []string, n int, from []string) {
	info, _ := diagnose.Info(diagnose.BodiesNotClosed)
	what, on := "1 response body", "a connection"
	if n != 1 {
		what, on = fmt.Sprintf("%d response bodies", n), "connections"
	}
	p := Problem{
		ID:    diagnose.BodiesNotClosed,
		Count: n,
		Message: fmt.Sprintf("%s neither read to the end nor closed when %s ended, on %s idle in a shared pool when it began, which %s dialled; %s ran beside it, and any of them may have left it.",
			what, test, on, dialledBy(from), strings.Join(beside, ", ")),
		Fix: info.Fix,
	}
	unattributed.Lock()
	defer unattributed.Unlock()
	unattributed.problems = append(unattributed.problems, p)
}

// notes returns the bodies noted since the last call, and forgets them.
func notes() []Problem {
	unattributed.Lock()
	defer unattributed.Unlock()
	p := unattributed.problems
	unattributed.problems = nil
	return p
}
