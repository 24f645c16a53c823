package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/connleak/connleak/exporter"
	"github.com/connleak/connleak/internal/hostile"
)

// HostileConfig says how Hostile runs.
type HostileConfig struct {
	Exe     string        // the connleak binary
	Dir     string        // where the profiles and the exporter's log go
	Targets int           // targets serving each profile, all probed at once
	Rounds  int           // of probes of every target, one after the other
	Timeout time.Duration // the scrape timeout the probes say, as Prometheus does
}

// HostileDiagnose is connleak diagnose on one hostile profile, saved to a
// file.
type HostileDiagnose struct {
	Input          string
	Size, Inflated int // bytes, as served and decompressed
	Exit           int
	Took           time.Duration
	PeakRSS        int64
}

// HostileExporter is one run of the exporter probed by Targets targets at
// once, Rounds times, each target serving Input (or each in turn, for
// "all").
type HostileExporter struct {
	Input         string
	Probes        int           // answered, each a 200
	Slowest       time.Duration // of the probes, from its request to the end of its reply
	Timeout       time.Duration // the exporter's for each probe: the scrape timeout less its offset
	SlowestScrape time.Duration // of /metrics, asked every 50ms during the run
	Scrapes       int           // of /metrics during the run, each a 200
	PeakRSS       int64         // the exporter's (VmHWM)
}

// HostileResult is what Hostile measured.
type HostileResult struct {
	Diagnose []HostileDiagnose
	Exporter []HostileExporter
}

// Hostile measures what package hostile's profiles cost connleak diagnose
// (each saved to a file, read by a child process) and a connleak exporter
// (a child process, fresh for each kind, whose probes of cfg.Targets
// loopback targets serving it, at once, with cfg.Timeout, are answered
// within that timeout while its /metrics answers throughout), and one
// more run with every kind at once, the targets taking them in turn.
func Hostile(ctx context.Context, cfg HostileConfig) (HostileResult, error) {
	var r HostileResult
	inputs := hostile.Inputs()
	served := make(map[string][]byte, len(inputs))
	for _, in := range inputs {
		data := in.Gzipped()
		served[in.Name] = data
		file := filepath.Join(cfg.Dir, "hostile-"+in.Name)
		if err := os.WriteFile(file, data, 0o644); err != nil {
			return r, err
		}
		took, code, rss, err := timed(ctx, cfg.Exe, "diagnose", file)
		if err != nil {
			return r, err
		}
		r.Diagnose = append(r.Diagnose, HostileDiagnose{in.Name, len(data), len(in.Data), code, took, rss})
	}
	for _, in := range inputs {
		run, err := hostileRun(ctx, cfg, in.Name, func(int) []byte { return served[in.Name] })
		if err != nil {
			return r, fmt.Errorf("%s: %w", in.Name, err)
		}
		r.Exporter = append(r.Exporter, run)
	}
	run, err := hostileRun(ctx, cfg, "all", func(i int) []byte { return served[inputs[i%len(inputs)].Name] })
	if err != nil {
		return r, fmt.Errorf("all: %w", err)
	}
	r.Exporter = append(r.Exporter, run)
	return r, nil
}

// bytesTarget answers every request with its bytes, whatever form it was
// asked for, as a stranger's service may.
type bytesTarget []byte

func (b bytesTarget) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b)
}

// hostileRun starts cfg.Targets targets, target i serving body(i), and a
// fresh exporter, and probes every target at once, cfg.Rounds times.
func hostileRun(ctx context.Context, cfg HostileConfig, name string, body func(int) []byte) (run HostileExporter, err error) {
	run.Input = name
	t := &targets{}
	defer func() { err = errors.Join(err, t.close()) }()
	for i := range cfg.Targets {
		if err := t.start(bytesTarget(body(i))); err != nil {
			return run, err
		}
	}
	x, err := startExporter(ctx, cfg.Exe, cfg.Dir, 0)
	defer func() {
		if x != nil {
			err = errors.Join(err, x.stop())
		}
	}()
	if err != nil {
		return run, err
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Targets + 1}, Timeout: cfg.Timeout + time.Minute}
	defer client.CloseIdleConnections()
	stop := make(chan struct{})
	var scraper sync.WaitGroup
	var scrapeErr error
	scraper.Go(func() { run.SlowestScrape, run.Scrapes, scrapeErr = scrapeWhile(ctx, client, x.URL, stop) })
	for range cfg.Rounds {
		slowest, err := probeAtOnce(ctx, client, x.URL, t.URLs, cfg.Timeout)
		if err != nil {
			close(stop)
			scraper.Wait()
			return run, err
		}
		run.Slowest = max(run.Slowest, slowest)
		run.Probes += len(t.URLs)
	}
	close(stop)
	scraper.Wait()
	run.Timeout = min(exporter.DefaultTimeout, max(cfg.Timeout-exporter.TimeoutOffset, cfg.Timeout/2)) // as the exporter takes it
	run.PeakRSS = statusBytes(x.PID(), "VmHWM")
	return run, scrapeErr
}

// probeAtOnce probes every target at once, with timeout as Prometheus's
// scrape timeout, and returns the slowest probe's time: each must be
// answered with a 200, probe_success 1 or 0.
func probeAtOnce(ctx context.Context, c *http.Client, exporter string, targets []string, timeout time.Duration) (time.Duration, error) {
	var (
		mu      sync.Mutex
		slowest time.Duration
		errs    []error
		wg      sync.WaitGroup
	)
	for _, target := range targets {
		wg.Go(func() {
			start := time.Now()
			err := getOK(ctx, c, exporter+"/probe?target="+url.QueryEscape(target), map[string]string{
				"X-Prometheus-Scrape-Timeout-Seconds": strconv.FormatFloat(timeout.Seconds(), 'f', -1, 64),
			})
			mu.Lock()
			defer mu.Unlock()
			slowest = max(slowest, time.Since(start))
			if err != nil {
				errs = append(errs, fmt.Errorf("probe of %s: %w", target, err))
			}
		})
	}
	wg.Wait()
	return slowest, errors.Join(errs...)
}

// scrapeWhile asks the exporter's /metrics every 50ms until stop is
// closed, and returns the slowest answer's time and how many there were:
// each must be a 200.
func scrapeWhile(ctx context.Context, c *http.Client, exporter string, stop <-chan struct{}) (time.Duration, int, error) {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var slowest time.Duration
	for n := 0; ; n++ {
		start := time.Now()
		if err := getOK(ctx, c, exporter+"/metrics", nil); err != nil {
			return slowest, n, fmt.Errorf("/metrics: %w", err)
		}
		slowest = max(slowest, time.Since(start))
		select {
		case <-stop:
			return slowest, n + 1, nil
		case <-ctx.Done():
			return slowest, n + 1, ctx.Err()
		case <-tick.C:
		}
	}
}

// getOK GETs u with header and reads the reply, which must be a 200.
func getOK(ctx context.Context, c *http.Client, u string, header map[string]string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, io.LimitReader(resp.Body, maxProbeReply)); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %s", resp.Status)
	}
	return nil
}

// WriteHostile writes r as two tables, under lines that say what was
// measured.
func WriteHostile(w io.Writer, r HostileResult, cfg HostileConfig, cores int) error {
	_, err := fmt.Fprintf(w, "\nhostile profiles (internal/hostile), each the most of one kind of record dump's bounds let through; connleak diagnose on each, saved to a file:\n")
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PROFILE\tSIZE\tINFLATED\tEXIT\tTIME\tPEAK-RSS")
	for _, d := range r.Diagnose {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", d.Input, bytesText(d.Size), bytesText(d.Inflated), d.Exit, millis(d.Took, 0), mib(d.PeakRSS))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "\nconnleak exporter on %d cores, %d loopback targets serving each, all probed at once, %d rounds, scrape timeout %v; /metrics asked every 50ms meanwhile:\n",
		cores, cfg.Targets, cfg.Rounds, cfg.Timeout)
	if err != nil {
		return err
	}
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PROFILE\tPROBES\tSLOWEST-PROBE\tPROBE-TIMEOUT\tSLOWEST-/metrics\tSCRAPES\tPEAK-RSS")
	for _, x := range r.Exporter {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%d\t%s\n", x.Input, x.Probes, millis(x.Slowest, 0), millis(x.Timeout, 0), millis(x.SlowestScrape, 0), x.Scrapes, mib(x.PeakRSS))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, "EXIT: connleak diagnose's, 1 where it refused the profile. all: the targets serve every profile in turn. PEAK-RSS: peak resident memory (VmHWM).")
	return err
}
