package connleaktest

import (
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/connleak/connleak/diagnose"
)

// DefaultDeadline is how long a check waits, by default, for connections
// being closed to go: a closed server's connections, a body closed as the
// test returned, which take milliseconds. A leak stays for ever, so
// waiting does not hide one; a body left open on a client whose Timeout
// ends before the Deadline is closed by that Timeout, and passes.
const DefaultDeadline = 2 * time.Second

// DefaultIdle is how many idle client connections a test may leave in its
// pools, by default: a shared Transport keeps at most MaxIdleConnsPerHost
// idle connections per host, 2 with net/http's default and GOMAXPROCS+1
// with Resty's. It is the larger of 4 (net/http's default pool to two
// hosts) and GOMAXPROCS+1 (Resty's pool to one), so a healthy pool passes;
// a client made per call leaves one connection per call, and fails once
// it has made more.
func DefaultIdle() int { return max(4, runtime.GOMAXPROCS(0)+1) }

// An Option changes what a check allows or how long it waits.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// Deadline sets how long a check waits for connections being closed
// (DefaultDeadline unless set). A failing check waits all of it first.
func Deadline(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d <= 0 {
			c.fail(fmt.Errorf("Deadline(%v): want a duration above 0", d))
			return
		}
		c.deadline = d
	})
}

// Allow lets a test leave n of what the finding id counts, in place of the
// default: DefaultIdle idle client connections, none of the rest; and for
// the checks of the whole process (VerifyNone, VerifyTestMain, Find),
// DefaultIdle server connections too, those a server that outlives the
// tests keeps for its clients' pools:
// Allow(diagnose.IdleClientConnections, 0) for a test that must close its
// pools, or Allow(diagnose.IdleServerConnections, 1) for one that hands its
// server on. The ids are those of diagnose.Findings.
func Allow(id string, n int) Option {
	return optionFunc(func(c *config) {
		if _, ok := diagnose.Info(id); !ok {
			c.fail(fmt.Errorf("Allow(%q, %d): unknown finding; want one of diagnose's: %s", id, n, strings.Join(ids(), ", ")))
			return
		}
		if n < 0 {
			c.fail(fmt.Errorf("Allow(%q, %d): want a count of 0 or more", id, n))
			return
		}
		c.allow[id] = n
	})
}

// config is what the options of a check say.
type config struct {
	deadline time.Duration
	allow    map[string]int // per finding id, how many the test may leave
	err      error          // the first bad option
	// profile writes the goroutine profile a check reads: nil for this
	// process's, or, in this package's tests, dumps of their own.
	profile func(w io.Writer, debug int) error
}

// newConfig is what opts say, for a check of one test or, if process, of
// the whole process.
func newConfig(opts []Option, process bool) *config {
	c := &config{deadline: DefaultDeadline, allow: map[string]int{}}
	for _, id := range ids() {
		c.allow[id] = 0
	}
	c.allow[diagnose.IdleClientConnections] = DefaultIdle()
	if process {
		c.allow[diagnose.IdleServerConnections] = DefaultIdle()
	}
	for _, o := range opts {
		if o != nil {
			o.apply(c)
		}
	}
	return c
}

func (c *config) fail(err error) {
	if c.err == nil {
		c.err = fmt.Errorf("connleaktest: %w", err)
	}
}

// ids are the findings a check judges, in the registry's order.
func ids() []string {
	var out []string
	for _, f := range diagnose.Findings() {
		out = append(out, f.ID)
	}
	return slices.Clip(out)
}
