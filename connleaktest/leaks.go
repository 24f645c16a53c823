package connleaktest

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/connleak/connleak/diagnose"
	"github.com/connleak/connleak/dump"
	"github.com/connleak/connleak/internal/poll"
)

// The pprof labels Check sets on a test's goroutine, which every goroutine
// it starts inherits, net/http's included: the test's name, and the
// number of the check, unique in the process (a test run twice, with
// -count, is two checks).
const (
	LabelTest  = "connleaktest"
	LabelCheck = "connleaktest.check"
)

// Find waits up to its Deadline for this process's HTTP connections to be
// within what its options allow, and returns nil then; if they are not, it
// returns an error that names each finding, its count, the fix and, where
// the process runs with GODEBUG=tracebackancestors=N, the lines that made
// them. It judges the connections no running Check claims: a test that
// called Check has its own judged when it ends, and what it left after
// that is the process's. It also fails, once, for the bodies that tests'
// checks found left open on connections taken from a shared pool and
// could not call their tests', other tests having run beside them.
func Find(opts ...Option) error {
	c := newConfig(opts, true)
	if c.err != nil {
		return c.err
	}
	return find(scope{who: "the process"}, c)
}

// scope says whose connections a check judges.
type scope struct {
	who   string // the test's name, or "the process"
	check string // the LabelCheck of the test's goroutines; "" for those no running Check claims
	goid  int    // the test's goroutine, which its goroutines' ancestors name in a dump without labels
	pool  *pool  // for a test's check, the connections of other label sets when it began (pooled.go)
}

// owns says whether g is the scope's, by its check's label, or, in a dump
// without labels, by its ancestors. check is g's LabelCheck (checkOf).
// The whole process's is every goroutine no running Check claims: those of
// a check that has judged its test are the process's again, for what the
// test left after it.
func (s scope) owns(g *dump.Goroutine, check string) bool {
	if s.check == "" {
		return check == "" || !running(check)
	}
	if g.Labels == "" && s.goid != 0 {
		return slices.Contains(g.AncestorIDs, s.goid)
	}
	return check == s.check
}

// checkOf is the LabelCheck of labels, a label set as dump writes it,
// {"k":"v", "k2":"v2"} with each key and value Go-quoted; "" where it has
// none, or does not read.
func checkOf(labels string) string { return labelOf(labels, LabelCheck) }

// labelOf is the value of the label key in labels, as checkOf reads it.
func labelOf(labels, key string) string {
	if !strings.Contains(labels, strconv.Quote(key)+":") {
		return ""
	}
	rest, ok := strings.CutPrefix(labels, "{")
	for ok && rest != "}" {
		k, err := strconv.QuotedPrefix(rest)
		if err != nil {
			return ""
		}
		if rest, ok = strings.CutPrefix(rest[len(k):], ":"); !ok {
			return ""
		}
		v, err := strconv.QuotedPrefix(rest)
		if err != nil {
			return ""
		}
		if k, _ = strconv.Unquote(k); k == key {
			v, _ = strconv.Unquote(v)
			return v
		}
		rest = rest[len(v):]
		if r, more := strings.CutPrefix(rest, ", "); more {
			rest = r
		} else {
			ok = rest == "}"
		}
	}
	return ""
}

// find judges the scope's connections until they pass or c's deadline has
// passed.
func find(s scope, c *config) error {
	v := s.watch(c)
	var noted []Problem
	switch {
	case s.check == "": // the whole process's: what the tests' checks could not say whose
		noted = notes()
	case v.taken > 0 && len(v.beside) > 0:
		note(s.who, v.beside, v.taken, v.from)
	}
	// A goroutine still between two waits once the Deadline has passed is
	// not on its way to one but running (a handler, a body being read):
	// the last look is judged as it reads.
	if v.err == nil && len(v.found) == 0 && len(noted) == 0 {
		return nil
	}
	if v.err != nil && len(v.found) == 0 && len(noted) == 0 { // diagnose failed each time
		return fmt.Errorf("connleaktest: cannot read this process's goroutines: after %v: %w", c.deadline, v.err)
	}
	e := s.sited(c, v)
	e.Findings = append(e.Findings, noted...)
	return e
}

// A watch is what find's last look saw.
type watch struct {
	found  []Problem
	err    error    // the last look's, where diagnose failed
	taken  int      // bodies held on connections taken from other label sets' pools
	from   []string // whose pools
	beside []string // the tests that ran beside this one, which may have taken them
}

// watch looks at the process's goroutines until nothing is over what c
// allows and nothing is between two waits, or c's deadline passes.
func (s scope) watch(c *config) (v watch) {
	deadline := time.Now().Add(c.deadline)
	settle := settleEvery
	for {
		// pprof's protobuf form: of the three, the quickest for the
		// runtime to write and for dump to read where goroutines carry
		// many label sets (docs/benchmarks.md#connleaktest), and one
		// that keeps the runtime's frames, which say whether a goroutine
		// is parked (settle.go).
		var l look
		if l, v.err = s.diagnose(c.profile, 0, nil); v.err == nil {
			var pooled int // other label sets' readLoops between two waits, which it may have taken
			v.taken, v.from, pooled = s.pool.taken(s.check, l.readLoops)
			l.settling += pooled
			if v.beside = besideOf(s.check); len(v.beside) == 0 {
				l.Client.BodyUnread += v.taken // this test's
			}
			v.found = judge(l.Report, c)
			if len(v.found) == 0 && l.settling == 0 {
				return v
			}
		}
		if time.Now().After(deadline) {
			return v
		}
		// What is being closed goes in milliseconds; a goroutine between
		// two waits parks in microseconds, and only it holds a look that
		// is otherwise a pass: looked at again sooner, then, each time
		// twice as late, up to the poll's pace, so that a goroutine that
		// keeps running costs no more looks than a leak.
		every := poll.Every
		if v.err == nil && len(v.found) == 0 {
			every, settle = settle, min(2*settle, poll.Every)
		}
		time.Sleep(every)
	}
}

// sited is the Error of v's findings, each with the lines that made its
// connections where a dump with every stack says (the process keeps its
// goroutines' ancestors).
func (s scope) sited(c *config, v watch) *Error {
	e := &Error{Who: s.who, Waited: c.deadline}
	sited := map[string]int{}
	for _, id := range ids() {
		sited[id] = 1
	}
	sites, _ := s.diagnose(c.profile, 2, sited)
	for _, p := range v.found {
		if f, ok := sites.Finding(p.ID); ok {
			p.Sites = slices.DeleteFunc(f.Sites, func(s diagnose.Site) bool { return s.Function == "" })
		}
		if p.ID == diagnose.BodiesNotClosed && v.taken > 0 && len(v.beside) == 0 {
			p.Message += takenMessage(v.taken, v.from)
		}
		e.Sited = e.Sited || len(p.Sites) > 0
		e.Findings = append(e.Findings, p)
	}
	return e
}

// writeProfile writes this process's goroutine profile at debug: what a
// check reads, unless a test of this package hands it dumps of its own.
func writeProfile(w io.Writer, debug int) error {
	return pprof.Lookup("goroutine").WriteTo(w, debug)
}

// A look is what one goroutine profile says of a scope's connections.
type look struct {
	diagnose.Report
	settling int // of the scope's HTTP goroutines, those between two waits (settle.go)
	// readLoops are, per label set, the HTTP/1 client connections of the
	// whole process, by what their readLoops wait for (pooled.go).
	readLoops map[string]*readLoops
}

// diagnose diagnoses the goroutine profile profile writes at debug, the
// scope's goroutines only, naming findings at thresholds.
func (s scope) diagnose(profile func(io.Writer, int) error, debug int, thresholds map[string]int) (look, error) {
	var l look
	// This process's profile, with labels, says what the pools hold for
	// the checks that start after it (pooled.go).
	remembered := profile == nil && debug == 0
	var created uint64
	if profile == nil {
		profile = writeProfile
		created = goroutinesCreated()
	}
	b := new(bytes.Buffer)
	if err := profile(b, debug); err != nil {
		return l, err
	}
	d := diagnose.Diagnosis{Thresholds: thresholds}
	if debug == 2 { // the form with the stacks that made each goroutine
		d.Binary = executable()
	}
	checks := map[string]string{} // read once per label set
	l.readLoops = map[string]*readLoops{}
	format, err := dump.Read(b, func(g *dump.Goroutine) {
		check, ok := checks[g.Labels]
		if !ok {
			check = checkOf(g.Labels)
			checks[g.Labels] = check
		}
		countReadLoop(l.readLoops, g, debug == 0)
		if s.owns(g, check) {
			d.Add(g)
			if settling(g) {
				l.settling += g.Count
			}
		}
	})
	if err != nil {
		return l, err
	}
	if remembered {
		remember(created, l.readLoops)
	}
	l.Report = d.Report(format)
	return l, nil
}

// A Problem is a finding over what the check allows.
type Problem struct {
	ID      string          // diagnose's finding id
	Count   int             // how many connections or calls
	Allowed int             // how many the check allows
	Message string          // what they are
	Fix     string          // what to do: diagnose's, or for a test, where it differs
	Sites   []diagnose.Site // where they were made, where the dump says
}

// A saying is what a check says of a finding of diagnose's registry once
// a test (or the tests) ended, and the fix, where a test's differs from
// diagnose's. What each finding counts is the registry's (FindingInfo.Count).
type saying struct {
	say func(n, allowed int, cl diagnose.Client, sv diagnose.Server) string
	fix string
}

// sayings has one saying for each finding of the registry
// (TestSayings).
var sayings = map[string]saying{
	diagnose.IdleClientConnections: {func(n, allowed int, _ diagnose.Client, _ diagnose.Server) string {
		return fmt.Sprintf("%s, where %d are allowed: a client or Transport made per call leaves its pool behind (a shared one keeps MaxIdleConnsPerHost per host, 2 by default: Allow more for one that keeps more), and one without IdleConnTimeout keeps it for ever.", count(n, "idle client connection"), allowed)
	}, ""},
	diagnose.BodiesNotClosed: {func(n, _ int, _ diagnose.Client, _ diagnose.Server) string {
		return fmt.Sprintf("%s neither read to the end nor closed: each holds its connection.", count(n, "response body"))
	}, ""},
	diagnose.CallsWithoutTimeout: {func(n, _ int, _ diagnose.Client, _ diagnose.Server) string {
		return fmt.Sprintf("%s still waiting for a response.", count(n, "call"))
	}, ""},
	diagnose.WaitingForConnection: {func(n, _ int, _ diagnose.Client, _ diagnose.Server) string {
		return fmt.Sprintf("%s still queued for a connection (MaxConnsPerHost).", count(n, "call"))
	}, ""},
	diagnose.DialsWithoutTimeout: {func(n, _ int, cl diagnose.Client, _ diagnose.Server) string {
		return fmt.Sprintf("%s still being dialled (%d in a TLS handshake).", count(n, "connection"), cl.Handshaking)
	}, ""},
	diagnose.IdleServerConnections: {func(n, allowed int, _ diagnose.Client, sv diagnose.Server) string {
		return fmt.Sprintf("%s still open (%d idle, %d running a handler), where %d are allowed: a server not closed, or one whose clients keep their connections.", count(n, "server connection"), sv.Idle, sv.Active, allowed)
	}, "Close every server the test starts, with httptest.Server's or http.Server's Close (closing its listener leaves its connections open); Allow the connections of one that outlives the test. In production, give it an IdleTimeout."},
}

// count is n and what it counts, plural unless n is 1.
func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	if strings.HasSuffix(what, "y") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(what, "y"))
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// judge lists what r shows over what c allows, in the registry's order.
func judge(r diagnose.Report, c *config) []Problem {
	var out []Problem
	for _, info := range diagnose.Findings() {
		n, allowed := info.Count(r), c.allow[info.ID]
		if n <= allowed {
			continue
		}
		s := sayings[info.ID]
		out = append(out, Problem{ID: info.ID, Count: n, Allowed: allowed, Message: s.say(n, allowed, r.Client, r.Server), Fix: cmp.Or(s.fix, info.Fix)})
	}
	return out
}

// Error is what a failing check reports: whose connections, how long it
// waited for them, and each finding over what it allows.
type Error struct {
	Who      string        // the test's name, or "the process"
	Waited   time.Duration // how long the check waited for them to close
	Findings []Problem
	Sited    bool // whether a finding says where its connections were made
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "connleaktest: %s left HTTP connections behind (waited %v for them to close):", e.Who, e.Waited)
	for _, p := range e.Findings {
		info, _ := diagnose.Info(p.ID)
		fmt.Fprintf(&b, "\n  %s: %s\n    fix: %s", p.ID, p.Message, p.Fix)
		for _, s := range p.Sites {
			fmt.Fprintf(&b, "\n    %s", madeAt(s))
		}
		fmt.Fprintf(&b, "\n    see %s", info.Doc)
	}
	if !e.Sited {
		b.WriteString("\n  Run with GODEBUG=tracebackancestors=5 to see the lines that made them.")
	}
	return b.String()
}
