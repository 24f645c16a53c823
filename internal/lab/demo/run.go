package demo

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/connleak/connleak/diagnose"
	"github.com/connleak/connleak/internal/lab/load"
	"github.com/connleak/connleak/internal/lab/scenario"
	"github.com/connleak/connleak/internal/poll"
)

// Config says how Run runs the scenarios.
type Config struct {
	Exe       string        // the connleak binary to start twice per scenario
	Dir       string        // where the instances' logs go
	N         int           // requests per scenario
	Wait      time.Duration // the longest idle wait after the requests
	Scenarios []scenario.Scenario
	Progress  Progress // told how each scenario goes; nil for none
}

// Progress hears how the scenarios go.
type Progress interface {
	Start(s scenario.Scenario, n int)
	Request(i int)
	Idle()
	Done(r Result)
}

// Point is both servers' counts at one moment of a scenario.
type Point struct {
	At       time.Duration // since the first request
	Requests int           // requests answered so far
	G2, G1   int           // goroutines of server 2 and server 1
	Held2    int           // connections server 2's /forward holds
	Open1    int           // connections server 1 has open
	Mem2     uint64        // heap and stack in use, server 2
	Mem1     uint64        // the same, server 1
}

// sampleEvery is how often Run samples during the idle wait.
const sampleEvery = 100 * time.Millisecond

// Run runs every scenario of cfg, one after the other, each on a fresh pair
// of instances that it stops before the next. It returns the results so far
// and the error if one fails or ctx is done.
func Run(ctx context.Context, cfg Config) ([]Result, error) {
	var results []Result
	for _, s := range cfg.Scenarios {
		r, err := runOne(ctx, cfg, s)
		if err != nil {
			return results, fmt.Errorf("scenario %s: %w", s.Name, err)
		}
		results = append(results, r)
		if cfg.Progress != nil {
			cfg.Progress.Done(r)
		}
	}
	return results, nil
}

// runOne runs one scenario on a pair of its own: a baseline sample, the
// load, the idle wait, then what server 2 counted and, unless the
// scenario was diagnosed during its load, both servers' diagnoses.
func runOne(ctx context.Context, cfg Config, s scenario.Scenario) (r Result, err error) {
	p, err := StartPair(ctx, cfg.Exe, cfg.Dir, s.Env1, s.Env2)
	defer func() {
		if stopErr := p.Stop(); stopErr != nil && err == nil {
			err = stopErr
		}
	}()
	if err != nil {
		return Result{}, err
	}
	n := cmp.Or(s.Requests, cfg.N)
	u := &scenarioRun{cfg: cfg, p: p, n: n, start: time.Now(), r: &r}
	r = Result{Scenario: s, N: n, ByStatus: map[int]int{}}
	if err := u.sample(ctx, 0); err != nil {
		return r, err
	}
	if cfg.Progress != nil {
		cfg.Progress.Start(s, n)
	}
	if err := u.load(ctx); err != nil {
		return r, err
	}
	if err := u.idle(ctx); err != nil {
		return r, err
	}
	st, err := p.Server2.Stats(ctx)
	if err != nil {
		return r, err
	}
	r.Opened, r.Reused = st.Client.Opened, st.Client.Reused
	if !s.DiagnoseDuring {
		if r.Diagnosis2, err = diagnoseInstance(ctx, p.Server2); err != nil {
			return r, err
		}
		if r.Diagnosis1, err = diagnoseInstance(ctx, p.Server1); err != nil {
			return r, err
		}
	}
	r.judge()
	return r, nil
}

// A scenarioRun is one scenario under way on its pair, its result filled
// in as it goes.
type scenarioRun struct {
	cfg   Config
	p     *Pair
	n     int       // the requests to send
	start time.Time // when the first sample was taken
	r     *Result
	// replies counts the replies come back so far, for diagnoseDuring,
	// which reads it from another goroutine.
	replies atomic.Int64
}

// sample samples both servers, requests sent so far.
func (u *scenarioRun) sample(ctx context.Context, requests int) error {
	pt, err := samplePair(ctx, u.p, u.start, requests)
	if err == nil {
		u.r.Points = append(u.r.Points, pt)
	}
	return err
}

// load sends the scenario's requests to server 2's /forward, sampling
// both servers about 40 times on the way. A scenario about a moment of
// concurrency is diagnosed at that moment, once every call of the first
// wave is under way.
func (u *scenarioRun) load(ctx context.Context) error {
	s, r := u.r.Scenario, u.r
	during := make(chan error, 1)
	if s.DiagnoseDuring {
		go func() { during <- u.diagnoseDuring(ctx) }()
	} else {
		during <- nil
	}
	every := max(1, u.n/40)
	var sampleErr error
	sum, err := load.Run(ctx, load.Config{
		URL: u.p.Server2.URL + "/forward?" + s.Query,
		N:   u.n,
		C:   max(1, s.Concurrency),
		Each: func(i int, _ load.Reply) {
			u.replies.Add(1)
			if u.cfg.Progress != nil {
				u.cfg.Progress.Request(i + 1)
			}
			if (i+1)%every == 0 || i+1 == u.n {
				sampleErr = errors.Join(sampleErr, u.sample(ctx, i+1))
			}
		},
	})
	if err := errors.Join(err, sampleErr, <-during); err != nil {
		return err
	}
	r.ByStatus, r.P99 = sum.ByStatus, sum.Percentile(0.99)
	r.LoadEnd = len(r.Points) - 1
	return nil
}

// idle samples until cfg.Wait is over, or until both servers have been
// back at baseline for two samples running, the load's last sample, taken
// at its last reply, the first of them.
func (u *scenarioRun) idle(ctx context.Context) error {
	if u.cfg.Progress != nil {
		u.cfg.Progress.Idle()
	}
	loadEnd := time.Now()
	tick := time.NewTicker(sampleEvery)
	defer tick.Stop()
	atBase := 0
	if u.r.atBaseline(u.r.Points[len(u.r.Points)-1]) {
		atBase = 1
	}
	for atBase < 2 && time.Since(loadEnd) < u.cfg.Wait {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
		if err := u.sample(ctx, u.n); err != nil {
			return err
		}
		if u.r.atBaseline(u.r.Points[len(u.r.Points)-1]) {
			atBase++
		} else {
			atBase = 0
		}
	}
	return nil
}

// diagnoseDuring waits until server 2 has a call under way for each request
// sent at once, then diagnoses both servers. Where the requests are one
// wave, every call ends at about the same moment (the ceiling, a timeout),
// so a reply come back before server 2's dump was read means the dump may
// have missed calls that had ended: the result says it was late.
func (u *scenarioRun) diagnoseDuring(ctx context.Context) error {
	r, p := u.r, u.p
	err := poll.Until(duringTimeout, func() error {
		st, err := p.Server2.Stats(ctx)
		if err != nil {
			return err
		}
		return poll.True(st.Client.InFlight >= int64(r.Concurrency), fmt.Sprintf("%d calls under way", r.Concurrency))
	})
	if err != nil {
		return fmt.Errorf("diagnose during the requests: %w", err)
	}
	if r.Diagnosis2, err = diagnoseInstance(ctx, p.Server2); err != nil {
		return err
	}
	r.Late = u.n <= r.Concurrency && u.replies.Load() > 0
	r.Diagnosis1, err = diagnoseInstance(ctx, p.Server1)
	return err
}

// duringTimeout bounds the wait for the calls of a concurrent scenario to
// be under way.
const duringTimeout = 10 * time.Second

// diagnoseInstance is what connleak diagnose names on an instance's debug=2
// goroutine dump, as a user would take it.
func diagnoseInstance(ctx context.Context, in *Instance) (ids string, err error) {
	const dump = "/debug/pprof/goroutine?debug=2"
	err = in.Get(ctx, dump, func(r io.Reader) error {
		rep, err := diagnose.Read(r)
		if err != nil {
			return fmt.Errorf("diagnose %s%s: %w", in.URL, dump, err)
		}
		ids = rep.IDs()
		return nil
	})
	return ids, err
}

// samplePair reads both servers' /stats.
func samplePair(ctx context.Context, p *Pair, start time.Time, requests int) (Point, error) {
	s2, err := p.Server2.Stats(ctx)
	if err != nil {
		return Point{}, err
	}
	s1, err := p.Server1.Stats(ctx)
	if err != nil {
		return Point{}, err
	}
	return Point{
		At:       time.Since(start),
		Requests: requests,
		G2:       s2.GoRoutines,
		G1:       s1.GoRoutines,
		Held2:    s2.Client.Held,
		Open1:    s1.Server.Open,
		Mem2:     s2.Memory.HeapInuseBytes + s2.Memory.StackInuseBytes,
		Mem1:     s1.Memory.HeapInuseBytes + s1.Memory.StackInuseBytes,
	}, nil
}
