package demo

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/connleak/connleak/server"
)

// BenchCase is one configuration the benchmark measures.
type BenchCase struct {
	Name string
	Path string // on server 2, or on server 1 where it starts with /hello
	What string
	Env1 []string // server 1's environment
}

// Reference is the case every other is compared with.
const Reference = "net/http"

// tlsServer is server 1's environment for the HTTP/2 and TLS cases.
var tlsServer = []string{"SERVER_PROTO=h2"}

// BenchCases are the configurations, for c requests at once: the tuned ones
// keep c idle connections.
func BenchCases(c int) []BenchCase {
	tuned := fmt.Sprintf("maxIdleConnsPerHost=%d&idleConnTimeout=90s", c)
	return []BenchCase{
		{"leak", "/forward?client=new&transport=custom", "a Resty client per request, bare Transport", nil},
		{"resty-default", "/forward?client=new&transport=resty", "a Resty client per request, Resty's Transport", nil},
		{"shared-resty", "/forward?client=shared&transport=resty", "one Resty client, Resty's Transport", nil},
		{"shared-tuned", "/forward?client=shared&" + tuned, "one Resty client, tuned Transport: the recommended configuration", nil},
		{"no-keepalive", "/forward?client=new&disableKeepAlives=true", "a Resty client per request, keep-alives off", nil},
		{"conn-close", "/forward?client=new&connClose=true", "a Resty client per request, server 1 says Connection: close", nil},
		{Reference, "/forward?client=nethttp&" + tuned, "one net/http client, the same tuned Transport, no Resty", nil},
		{"hello", "/hello", "server 1's /hello directly: the upper bound", nil},
		{"h2-leak", "/forward?client=new&proto=h2", "a Resty client per request, HTTP/2 over TLS", tlsServer},
		{"h2-shared", "/forward?client=shared&forceAttemptHTTP2=true&" + tuned, "one Resty client, HTTP/2 over TLS: one connection, many streams", tlsServer},
		{"tls-leak", "/forward?client=new&proto=h1", "a Resty client per request, HTTP/1.1 over TLS", tlsServer},
		{"tls-h1-shared", "/forward?client=shared&" + tuned, "one Resty client, HTTP/1.1 over TLS (a bare Transport's fallback), tuned", tlsServer},
	}
}

// BenchConfig says how Bench runs.
type BenchConfig struct {
	Exe      string
	Dir      string
	C        int           // requests at once
	Duration time.Duration // of each run
	Rounds   int           // runs of each case, interleaved
	Cases    []BenchCase
	Log      io.Writer // a line per run; nil for none
}

// BenchRun is what one run of one case measured.
type BenchRun struct {
	ReqPerSec  float64
	P50, P99   time.Duration
	Errors     int   // replies other than 200, and failed requests
	G2, G1     int   // goroutines of server 2 and server 1 at the end
	RSS2, RSS1 int64 // resident memory of server 2 and server 1 at the end, in bytes
	Opened     int64 // connections server 2 opened to server 1
}

// BenchResult is a case and the median of its runs.
type BenchResult struct {
	BenchCase
	Runs   []BenchRun
	Median BenchRun
}

// Bench runs every case cfg.Rounds times, interleaved (each round runs every
// case once), each run on a fresh pair of servers under a keep-alive load of
// cfg.C requests at once for cfg.Duration.
func Bench(ctx context.Context, cfg BenchConfig) ([]BenchResult, error) {
	results := make([]BenchResult, len(cfg.Cases))
	for round := range cfg.Rounds {
		for i, bc := range cfg.Cases {
			run, err := benchOnce(ctx, cfg, bc)
			if err != nil {
				return nil, fmt.Errorf("%s, round %d: %w", bc.Name, round+1, err)
			}
			if cfg.Log != nil {
				fmt.Fprintf(cfg.Log, "round %d/%d %-14s %8.0f req/s\n", round+1, cfg.Rounds, bc.Name, run.ReqPerSec)
			}
			results[i].BenchCase = bc
			results[i].Runs = append(results[i].Runs, run)
		}
	}
	for i := range results {
		results[i].Median = median(results[i].Runs)
	}
	return results, nil
}

func benchOnce(ctx context.Context, cfg BenchConfig, bc BenchCase) (run BenchRun, err error) {
	p, err := StartPair(ctx, cfg.Exe, cfg.Dir, bc.Env1, nil)
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
	sum, err := Load(ctx, LoadConfig{URL: target, Duration: cfg.Duration, C: cfg.C, KeepAlive: true})
	if err != nil {
		return run, err
	}
	run = BenchRun{
		ReqPerSec: float64(sum.Requests) / sum.Wall.Seconds(),
		P50:       sum.Percentile(0.50),
		P99:       sum.Percentile(0.99),
		Errors:    sum.Requests - sum.ByStatus[200],
		RSS2:      rss(p.Server2.PID()),
		RSS1:      rss(p.Server1.PID()),
	}
	var s2, s1 server.Stats
	if err := getJSON(ctx, p.Server2.URL+"/stats", &s2); err != nil {
		return run, err
	}
	if err := getJSON(ctx, p.Server1.URL+"/stats", &s1); err != nil {
		return run, err
	}
	run.G2, run.G1, run.Opened = s2.GoRoutines, s1.GoRoutines, s2.Client.Opened
	return run, nil
}

// rss is a process's resident memory in bytes, from /proc; 0 where there is
// no /proc.
func rss(pid int) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// median takes the median of each measure on its own.
func median(runs []BenchRun) BenchRun {
	mid := func(vs []float64) float64 {
		slices.Sort(vs)
		if n := len(vs); n%2 == 1 {
			return vs[n/2]
		} else {
			return (vs[n/2-1] + vs[n/2]) / 2
		}
	}
	pick := func(f func(BenchRun) float64) float64 {
		vs := make([]float64, len(runs))
		for i, r := range runs {
			vs[i] = f(r)
		}
		return mid(vs)
	}
	return BenchRun{
		ReqPerSec: pick(func(r BenchRun) float64 { return r.ReqPerSec }),
		P50:       time.Duration(pick(func(r BenchRun) float64 { return float64(r.P50) })),
		P99:       time.Duration(pick(func(r BenchRun) float64 { return float64(r.P99) })),
		Errors:    int(pick(func(r BenchRun) float64 { return float64(r.Errors) })),
		G2:        int(pick(func(r BenchRun) float64 { return float64(r.G2) })),
		G1:        int(pick(func(r BenchRun) float64 { return float64(r.G1) })),
		RSS2:      int64(pick(func(r BenchRun) float64 { return float64(r.RSS2) })),
		RSS1:      int64(pick(func(r BenchRun) float64 { return float64(r.RSS1) })),
		Opened:    int64(pick(func(r BenchRun) float64 { return float64(r.Opened) })),
	}
}

// WriteBenchTable writes the medians, one row per case, with each case's
// throughput as a ratio to the net/http reference.
func WriteBenchTable(w io.Writer, results []BenchResult, cfg BenchConfig) error {
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
