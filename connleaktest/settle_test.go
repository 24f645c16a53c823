package connleaktest

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/pprof/profile"

	"github.com/connleak/connleak/diagnose"
	"github.com/connleak/connleak/dump"
)

// Stacks of a test's goroutines, innermost call first, as the runtime's
// goroutine profile has them.
var (
	// checking is the test's goroutine, writing the profile for its check.
	checking = []string{"runtime.goroutineProfileWithLabels", "runtime/pprof.writeGoroutine", "runtime/pprof.(*Profile).WriteTo",
		"github.com/connleak/connleak/connleaktest.find", "github.com/connleak/connleak/connleaktest.Check.func1", "testing.tRunner"}
	// Where an HTTP/1 connection's readLoop waits: for the caller to read
	// or close the body (transport.go's select on waitForBodyRead), and in
	// the pool for a next call (its pc.br.Peek(1)).
	readLoopHeld = []string{"runtime.gopark", "runtime.selectgo", "net/http.(*persistConn).readLoop"}
	readLoopIdle = []string{"runtime.gopark", "runtime.netpollblock", "internal/poll.runtime_pollWait", "internal/poll.(*pollDesc).waitRead",
		"internal/poll.(*FD).Read", "net.(*conn).Read", "net/http.(*persistConn).Read", "bufio.(*Reader).fill", "bufio.(*Reader).Peek",
		"net/http.(*persistConn).readLoop"}
	// Between those waits, as the first look had them in issue 27's
	// leak: the readLoop has handed the caller its response and, as it
	// enters the select that waits for the body, calls the request
	// context's Done; or, its body read, puts its connection back in the
	// pool.
	readLoopToHeld = []string{"context.(*cancelCtx).Done", "net/http.(*persistConn).readLoop"}
	readLoopToIdle = []string{"net/http.(*Transport).tryPutIdleConn", "net/http.(*persistConn).readLoop.func2", "net/http.(*persistConn).readLoop"}
	writeLoop      = []string{"runtime.gopark", "runtime.selectgo", "net/http.(*persistConn).writeLoop"}
)

// goroutineProfile is a goroutine profile in pprof's protobuf form, as the
// runtime writes it, of goroutines with the given stacks, each labelled as
// the check of scope s labels its test's.
func goroutineProfile(t testing.TB, s scope, stacks ...[]string) []byte {
	t.Helper()
	p := &profile.Profile{SampleType: []*profile.ValueType{{Type: "goroutine", Unit: "count"}}, PeriodType: &profile.ValueType{Type: "goroutine", Unit: "count"}, Period: 1}
	funcs := map[string]*profile.Function{}
	for _, stack := range stacks {
		sample := &profile.Sample{Value: []int64{1}, Label: map[string][]string{LabelTest: {s.who}, LabelCheck: {s.check}}}
		for _, name := range stack {
			f := funcs[name]
			if f == nil {
				f = &profile.Function{ID: uint64(len(p.Function) + 1), Name: name, SystemName: name, Filename: "/src/x.go"}
				funcs[name] = f
				p.Function = append(p.Function, f)
			}
			loc := &profile.Location{ID: uint64(len(p.Location) + 1), Line: []profile.Line{{Function: f, Line: 1}}}
			p.Location = append(p.Location, loc)
			sample.Location = append(sample.Location, loc)
		}
		p.Sample = append(p.Sample, sample)
	}
	var b bytes.Buffer
	if err := p.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// looks hands a check the profiles in turn, the last one again and again,
// and counts the looks.
type looks struct {
	mu       sync.Mutex // guards n
	n        int
	profiles [][]byte
}

func (l *looks) write(w io.Writer, debug int) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if debug == 0 { // not the failure's look for sites
		l.n++
	}
	_, err := w.Write(l.profiles[min(l.n, len(l.profiles))-1])
	return err
}

// TestFirstLook judges a test by a look in which its connections are
// parked in their waits, never by a first look taken while one of them is
// between two: issue 27's leak, a body left open, passed about one run in
// twenty, its readLoop seen on its way into the wait that says so.
func TestFirstLook(t *testing.T) {
	s := scope{who: "TestX", check: "7"}
	for _, tt := range []struct {
		name   string
		looks  [][]string // each look's readLoop; a look also has the test's goroutine and the writeLoop
		fails  string     // the finding it fails for; "" to pass
		looked int        // looks taken, at least
	}{
		{"a body left open, seen on its way into its wait", [][]string{readLoopToHeld, readLoopHeld}, diagnose.BodiesNotClosed + ": 1 response body", 2},
		{"a body left open, parked at once", [][]string{readLoopHeld}, diagnose.BodiesNotClosed + ": 1 response body", 1},
		{"a pooled connection, seen on its way back to the pool", [][]string{readLoopToIdle, readLoopIdle}, "", 2},
		{"a pooled connection, parked at once", [][]string{readLoopIdle}, "", 1},
		// A goroutine that never parks is not between two waits but
		// running: the check judges it as it reads, once the Deadline has
		// passed.
		{"a readLoop that never parks", [][]string{readLoopToIdle}, "", 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l := &looks{}
			for _, readLoop := range tt.looks {
				l.profiles = append(l.profiles, goroutineProfile(t, s, checking, readLoop, writeLoop))
			}
			c := newConfig([]Option{Deadline(100 * time.Millisecond)}, false)
			c.profile = l.write
			err := find(s, c)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if tt.fails == "" && err != nil || tt.fails != "" && !strings.Contains(got, "\n  "+tt.fails) {
				t.Errorf("the check: %v, want it to fail for %q", err, tt.fails)
			}
			if l.n < tt.looked {
				t.Errorf("the check looked %d times, want %d at least", l.n, tt.looked)
			}
		})
	}
}

// TestSettling tells the HTTP goroutines parked in a wait, which a check
// judges, from those between two, for which it looks again; goroutines of
// anything else do not hold it.
func TestSettling(t *testing.T) {
	for _, tt := range []struct {
		name  string
		stack []string
		want  bool
	}{
		{"readLoop held by a body", readLoopHeld, false},
		{"readLoop idle in the pool", readLoopIdle, false},
		{"writeLoop", writeLoop, false},
		{"a call waiting for its response", []string{"runtime.gopark", "runtime.selectgo", "net/http.(*persistConn).roundTrip", "net/http.(*Transport).roundTrip", "net/http.(*Client).Do", "main.call"}, false},
		{"an HTTP/2 stream waiting on a condition", []string{"runtime.gopark", "runtime.notifyListWait", "sync.runtime_notifyListWait", "sync.(*Cond).Wait", "net/http.(*http2clientStream).doRequest"}, false},
		{"readLoop on its way to the body's wait", readLoopToHeld, true},
		{"readLoop putting its connection back in the pool", readLoopToIdle, true},
		{"readLoop preempted in its own code", []string{"net/http.(*persistConn).readLoop"}, true},
		{"writeLoop started, not run yet", []string{"net/http.(*persistConn).writeLoop"}, true},
		{"a call running", []string{"net/http.(*persistConn).roundTrip", "net/http.(*Transport).roundTrip", "net/http.(*Client).Do", "main.call"}, true},
		{"readLoop queued for a mutex", []string{"runtime.gopark", "runtime.goparkunlock", "runtime.semacquire1", "internal/sync.runtime_SemacquireMutex",
			"internal/sync.(*Mutex).lockSlow", "internal/sync.(*Mutex).Lock", "sync.(*Mutex).Lock", "net/http.(*persistConn).readLoop"}, true},
		{"readLoop queued for its connection's lock", []string{"runtime.gopark", "runtime.semacquire1", "internal/poll.runtime_Semacquire",
			"internal/poll.(*fdMutex).rwlock", "internal/poll.(*FD).readLock", "internal/poll.(*FD).Read", "net.(*conn).Read",
			"net/http.(*persistConn).Read", "bufio.(*Reader).fill", "bufio.(*Reader).Peek", "net/http.(*persistConn).readLoop"}, true},
		{"the test's goroutine, running", checking, false},
		{"another goroutine, queued for a mutex", []string{"runtime.gopark", "runtime.semacquire1", "internal/sync.runtime_SemacquireMutex", "sync.(*Mutex).Lock", "main.work"}, false},
		{"no stack", nil, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := &dump.Goroutine{Count: 1}
			for _, f := range tt.stack {
				g.Frames = append(g.Frames, dump.Frame{Func: f})
			}
			if got := settling(g); got != tt.want {
				t.Errorf("settling(%s) = %v, want %v", strings.Join(tt.stack, " < "), got, tt.want)
			}
		})
	}
}
