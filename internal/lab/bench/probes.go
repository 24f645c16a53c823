package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

// probeLoad says how probeAll probes.
type probeLoad struct {
	Client   *http.Client // kept-alive connections to the exporter
	Exporter string       // its base URL
	Module   string
	Targets  []string      // probed round robin
	C        int           // probes at once
	Duration time.Duration // if > 0, probe until it is over
	N        int           // if > 0, at most this many probes
}

// probeSummary is what probeAll did.
type probeSummary struct {
	Probes     int
	Wall       time.Duration
	Goroutines int // that the first reply counted
}

// maxProbeReply bounds what probeAll reads of a probe's reply: a few kB.
const maxProbeReply = 1 << 20

// probeAll probes l.Targets round robin through the exporter, l.C at once,
// until l.Duration has passed or l.N probes were sent, as Prometheus would:
// GET /probe?target=URL&module=NAME, with a scrape timeout of 10s and the
// reply gzipped. Every reply must be a 200 with probe_success 1; the first
// that is not ends the run with an error.
func probeAll(ctx context.Context, l probeLoad) (probeSummary, error) {
	var (
		next, done atomic.Int64
		first      atomic.Int64 // the goroutines the first reply counted, +1 once set
	)
	start := time.Now()
	g, ctx := errgroup.WithContext(ctx)
	for range l.C {
		g.Go(func() error {
			for ctx.Err() == nil && (l.Duration <= 0 || time.Since(start) < l.Duration) {
				i := next.Add(1) - 1
				if l.N > 0 && i >= int64(l.N) {
					return nil
				}
				n, err := probe(ctx, l, l.Targets[i%int64(len(l.Targets))])
				if err != nil {
					return err
				}
				first.CompareAndSwap(0, int64(n)+1)
				done.Add(1)
			}
			return ctx.Err()
		})
	}
	err := g.Wait()
	return probeSummary{Probes: int(done.Load()), Wall: time.Since(start), Goroutines: int(first.Load()) - 1}, err
}

// probe probes one target and returns the goroutines its reply counted.
func probe(ctx context.Context, l probeLoad, target string) (int, error) {
	u := l.Exporter + "/probe?" + url.Values{"target": {target}, "module": {l.Module}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", "10")
	resp, err := l.Client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxProbeReply))
	if err != nil {
		return 0, fmt.Errorf("probe %s: %w", target, err)
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("probe %s: %s: %q", target, resp.Status, bytes.TrimSpace(body))
	}
	return readProbe(body)
}

// readProbe is the goroutines a successful probe's reply counts; a reply
// without probe_success 1 is an error.
func readProbe(reply []byte) (int, error) {
	if v, ok := metricValue(reply, "probe_success"); !ok || v != 1 {
		return 0, fmt.Errorf("probe failed: no probe_success 1 in %q", reply[:min(len(reply), 300)])
	}
	v, ok := metricValue(reply, "connleak_goroutines")
	if !ok {
		return 0, fmt.Errorf("no connleak_goroutines in %q", reply[:min(len(reply), 300)])
	}
	return int(v), nil
}

// metricValue is the value of the series of name without labels in a
// reply in the Prometheus text format.
func metricValue(reply []byte, name string) (float64, bool) {
	sc := bufio.NewScanner(bytes.NewReader(reply))
	for sc.Scan() {
		if rest, ok := bytes.CutPrefix(sc.Bytes(), []byte(name+" ")); ok {
			v, err := strconv.ParseFloat(string(bytes.TrimSpace(rest)), 64)
			return v, err == nil
		}
	}
	return 0, false
}

// exporterFetches is the exporter's connleak_exporter_fetches_total: the
// profiles it fetched, fewer than its probes where probes of one target at
// once shared a fetch.
func exporterFetches(ctx context.Context, c *http.Client, exporter string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, exporter+"/metrics", nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxProbeReply))
	if err != nil {
		return 0, err
	}
	v, ok := metricValue(body, "connleak_exporter_fetches_total")
	if resp.StatusCode != http.StatusOK || !ok {
		return 0, fmt.Errorf("the exporter's /metrics: %s, no connleak_exporter_fetches_total", resp.Status)
	}
	return int(v), nil
}
