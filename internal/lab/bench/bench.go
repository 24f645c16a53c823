package bench

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/connleak/connleak/internal/lab/demo"
	"github.com/connleak/connleak/internal/lab/load"
	"github.com/connleak/connleak/internal/lab/scenario"
)

// Case is one configuration the bench measures: a path on server 2, or on
// server 1 where it starts with /hello, and the servers' environments.
type Case struct {
	Name       string
	Path       string
	Env1, Env2 []string // server 1's and server 2's environment
}

// Reference is the case every other is compared with: one net/http client,
// the tuned Transport, no Resty.
const Reference = "net/http"

// Cases are the configurations, for c requests at once: the two reference
// rows, then every scenario of the catalogue, its query on server 2's
// /forward, with its servers' environments. The reference keeps c idle
// connections; hello, server 1's /hello directly, is the upper bound.
func Cases(c int) []Case {
	cases := []Case{
		{Name: Reference, Path: fmt.Sprintf("/forward?client=nethttp&maxIdleConnsPerHost=%d&idleConnTimeout=90s", c)},
		{Name: "hello", Path: "/hello"},
	}
	for _, s := range scenario.All() {
		cases = append(cases, Case{Name: s.Name, Path: "/forward?" + s.Query, Env1: s.Env1, Env2: s.Env2})
	}
	return cases
}

// Config says how Run runs.
type Config struct {
	Exe      string        // the connleak binary to start twice per run
	Dir      string        // where the servers' logs go
	C        int           // requests at once
	Duration time.Duration // of each run
	Rounds   int           // runs of each case, interleaved
	Cases    []Case
	Log      io.Writer // a line per run; nil for none
}

// Sample is what one run of one case measured.
type Sample struct {
	ReqPerSec  float64
	P50, P99   time.Duration
	Errors     int   // replies other than 200, and failed requests
	G2, G1     int   // goroutines of server 2 and server 1 at the end
	RSS2, RSS1 int64 // resident memory of server 2 and server 1 at the end, in bytes
	Opened     int64 // connections server 2 opened to server 1
}

// Result is a case and the median of its runs.
type Result struct {
	Case
	Runs   []Sample
	Median Sample
}

// Run runs every case cfg.Rounds times, interleaved (each round runs every
// case once), each run on a fresh pair of servers under a keep-alive load of
// cfg.C requests at once for cfg.Duration.
func Run(ctx context.Context, cfg Config) ([]Result, error) {
	results := make([]Result, len(cfg.Cases))
	width := 0 // of the longest name, to align the log
	for _, bc := range cfg.Cases {
		width = max(width, len(bc.Name))
	}
	for round := range cfg.Rounds {
		for i, bc := range cfg.Cases {
			run, err := benchOnce(ctx, cfg, bc)
			if err != nil {
				return nil, fmt.Errorf("%s, round %d: %w", bc.Name, round+1, err)
			}
			if cfg.Log != nil {
				fmt.Fprintf(cfg.Log, "round %d/%d %-*s %8.0f req/s\n", round+1, cfg.Rounds, width, bc.Name, run.ReqPerSec)
			}
			results[i].Case = bc
			results[i].Runs = append(results[i].Runs, run)
		}
	}
	for i := range results {
		results[i].Median = median(results[i].Runs)
	}
	return results, nil
}

func benchOnce(ctx context.Context, cfg Config, bc Case) (run Sample, err error) {
	p, err := demo.StartPair(ctx, cfg.Exe, cfg.Dir, bc.Env1, bc.Env2)
	defer func() {
		if stopErr := p.Stop(); stopErr != nil && err == nil {
			err = stopErr
		}
	}()
	if err != nil {
		return run, err
	}
	target := p.Server2.URL + bc.Path
	if strings.HasPrefix(bc.Path, "/hello") {
		target = p.Server1.URL + bc.Path
	}
	sum, err := load.Run(ctx, load.Config{URL: target, Duration: cfg.Duration, C: cfg.C, KeepAlive: true})
	if err != nil {
		return run, err
	}
	run = Sample{
		ReqPerSec: float64(sum.Requests) / sum.Wall.Seconds(),
		P50:       sum.Percentile(0.50),
		P99:       sum.Percentile(0.99),
		Errors:    sum.Requests - sum.ByStatus[200],
		RSS2:      rss(p.Server2.PID()),
		RSS1:      rss(p.Server1.PID()),
	}
	s2, err := p.Server2.Stats(ctx)
	if err != nil {
		return run, err
	}
	s1, err := p.Server1.Stats(ctx)
	if err != nil {
		return run, err
	}
	run.G2, run.G1, run.Opened = s2.GoRoutines, s1.GoRoutines, s2.Client.Opened
	return run, nil
}

// rss is a process's resident memory in bytes, from /proc; 0 where there is
// no /proc.
func rss(pid int) int64 { return statusBytes(pid, "VmRSS") }

// median takes the median of each measure on its own.
func median(runs []Sample) Sample {
	mid := func(vs []float64) float64 {
		slices.Sort(vs)
		if n := len(vs); n%2 == 1 {
			return vs[n/2]
		} else {
			return (vs[n/2-1] + vs[n/2]) / 2
		}
	}
	pick := func(f func(Sample) float64) float64 {
		vs := make([]float64, len(runs))
		for i, r := range runs {
			vs[i] = f(r)
		}
		return mid(vs)
	}
	return Sample{
		ReqPerSec: pick(func(r Sample) float64 { return r.ReqPerSec }),
		P50:       time.Duration(pick(func(r Sample) float64 { return float64(r.P50) })),
		P99:       time.Duration(pick(func(r Sample) float64 { return float64(r.P99) })),
		Errors:    int(pick(func(r Sample) float64 { return float64(r.Errors) })),
		G2:        int(pick(func(r Sample) float64 { return float64(r.G2) })),
		G1:        int(pick(func(r Sample) float64 { return float64(r.G1) })),
		RSS2:      int64(pick(func(r Sample) float64 { return float64(r.RSS2) })),
		RSS1:      int64(pick(func(r Sample) float64 { return float64(r.RSS1) })),
		Opened:    int64(pick(func(r Sample) float64 { return float64(r.Opened) })),
	}
}

// WriteTable writes the medians, one row per case, with each case's
// throughput as a ratio to the net/http reference.
func WriteTable(w io.Writer, results []Result, cfg Config) error {
	var ref float64
	for _, r := range results {
		if r.Name == Reference {
			ref = r.Median.ReqPerSec
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CONFIG\tREQ/S\tP50\tP99\tERRORS\tGOROUTINES-2\tGOROUTINES-1\tRSS-2\tRSS-1\tOPENED\tVS NET/HTTP")
	for _, r := range results {
		m := r.Median
		ratio := "-"
		if ref > 0 {
			ratio = fmt.Sprintf("%.2f", m.ReqPerSec/ref)
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%v\t%v\t%d\t%d\t%d\t%s\t%s\t%d\t%s\n", r.Name, m.ReqPerSec,
			m.P50.Round(time.Microsecond), m.P99.Round(time.Microsecond), m.Errors, m.G2, m.G1, mib(m.RSS2), mib(m.RSS1), m.Opened, ratio)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "Medians of %d interleaved runs of %v each, %d requests at once on kept-alive connections, a fresh pair of servers per run.\n"+
		"GOROUTINES, RSS: of server 2 (-2) and server 1 (-1) at the end of a run. OPENED: connections server 2 opened to server 1.\n",
		cfg.Rounds, cfg.Duration, cfg.C)
	return err
}

func mib(b int64) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
}
