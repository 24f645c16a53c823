package connleaktest

import (
	"bytes"
	"fmt"
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
// open holds the connection's readLoop, the earlier test's. So Check notes
// at its start, from a goroutine profile, how many readLoops of each other
// label set wait idle in their pool; when the test ends, those of a label
// set held by a body, past as many as were held at the start, were taken
// by this test, as many at most as were idle. Unless another test ran
// beside it: then nothing says which of them took the connection, and the
// check leaves it to the whole process's check, which fails for it (note).

// readLoop is the function of an HTTP/1 client connection's goroutine
// that reads its responses, and between them waits in the pool for the
// next (diagnose's markers.go).
const readLoop = "net/http.(*persistConn).readLoop"

// A pool is what a test's check knows of the connections other label sets
// had when it began.
type pool struct {
	// profile is this process's goroutine profile as Check was called, at
	// debug=1: of the three forms, the quickest to write where goroutines
	// are few, and read only if a look needs it.
	profile []byte
	// at are, per label set, its readLoops in the profile; nil until
	// read.
	at map[string]*readLoops
}

// readLoops counts the readLoops of a label set: waiting idle in their
// pool, held by a body, and, in a look, between two waits.
type readLoops struct {
	idle, held, settling int
}

// startPool notes the connections of this process, before the test's.
func startPool() *pool {
	var b bytes.Buffer
	if err := writeProfile(&b, 1); err != nil {
		return nil // nothing to compare with: nothing taken
	}
	return &pool{profile: b.Bytes()}
}

// isReadLoop reports whether g is a connection's readLoop.
func isReadLoop(g *dump.Goroutine) bool { return g.Entry() == readLoop }

// heldByBody reports whether g, a readLoop, is held by a response body,
// as diagnose reads it.
func heldByBody(g *dump.Goroutine) bool {
	d := diagnose.Diagnosis{NoSites: true}
	d.Add(&dump.Goroutine{Count: 1, Frames: g.Frames})
	return d.Report("").Client.BodyUnread > 0
}

// idleInPool reports whether g, a readLoop, waits for the network in
// its bufio.Reader's Peek (transport.go's pc.br.Peek(1)): idle in its
// pool, or waiting for a response to a call on it. The profile at the
// start has no runtime frames to say whether a goroutine is parked: one
// anywhere else is not idle, nor on its way to being taken.
func idleInPool(g *dump.Goroutine) bool {
	return slices.ContainsFunc(g.Frames, func(f dump.Frame) bool { return f.Func == "bufio.(*Reader).Peek" })
}

// add counts g, a readLoop of another label set than the check's, in a
// look.
func add(look map[string]*readLoops, g *dump.Goroutine) {
	settling, held := !waiting(g), false
	if !settling {
		held = heldByBody(g)
	}
	if !settling && !held {
		return
	}
	n := look[g.Labels]
	if n == nil {
		n = &readLoops{}
		look[g.Labels] = n
	}
	if settling {
		n.settling += g.Count
	} else {
		n.held += g.Count
	}
}

// taken says how many of the connections idle in other label sets' pools
// at the start a look (add's counts) finds held by a body: taken by the
// test, or by a test beside it; from the label sets of which tests, by
// their LabelTest; and how many of them it finds between two waits.
func (p *pool) taken(look map[string]*readLoops) (taken int, from []string, settling int) {
	if p == nil || len(look) == 0 {
		return 0, nil, 0
	}
	if p.at == nil {
		p.at = map[string]*readLoops{}
		dump.Read(bytes.NewReader(p.profile), func(g *dump.Goroutine) {
			if !isReadLoop(g) {
				return
			}
			n := p.at[g.Labels]
			if n == nil {
				n = &readLoops{}
				p.at[g.Labels] = n
			}
			switch {
			case idleInPool(g):
				n.idle += g.Count
			case heldByBody(g):
				n.held += g.Count
			}
		})
	}
	for labels, n := range look {
		at := p.at[labels]
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

// dialledBy says who dialled connections of the label sets of tests, in
// a failure.
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
	what := "1 response body"
	on := "a connection"
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
