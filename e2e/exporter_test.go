package e2e

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/connleak/connleak/diagnose"
	"github.com/connleak/connleak/internal/lab/demo"
	"github.com/connleak/connleak/internal/lab/load"
)

// TestExporterPrometheus runs what docs/exporter.md walks an operator
// through, every part a real process: a leaky lab pair and a healthy one,
// connleak exporter, and Prometheus with the repository's own
// prometheus.yml and alerts.yml, changed only where a test must differ
// (the ports, the intervals, the findings' `for`s). It checks that
// Prometheus sees the leak's findings on the leaky pair's servers and none
// on the healthy pair's, probes all four, and fires the findings' alerts
// for the leaky ones and no alert for the healthy ones.
func TestExporterPrometheus(t *testing.T) {
	bin := needPrometheus(t)
	t.Parallel()
	// n requests through each pair: the leaky one keeps a connection per
	// request on each side, twice the findings' thresholds; the healthy
	// one keeps one pooled connection.
	const n = 100
	leaky := startPair(t)
	healthy := startPairOf(t, exe, nil, []string{"FORWARD_CLIENT=shared"})
	for _, pair := range []struct {
		name string
		p    *demo.Pair
		held int
	}{{"leaky", leaky, n}, {"healthy", healthy, 1}} {
		sum, err := load.Run(context.Background(), load.Config{URL: pair.p.Server2.URL + "/forward", N: n, C: 1})
		if err != nil || sum.ByStatus[http.StatusOK] != n {
			t.Fatalf("%d requests to the %s pair: %v, replies by status %v; want %d 200s", n, pair.name, err, sum.ByStatus, n)
		}
		if held := stats(t, pair.p.Server2).Client.Held; held != pair.held {
			t.Fatalf("the %s pair's server 2 holds %d connections to server 1 after %d requests, want %d", pair.name, held, n, pair.held)
		}
	}

	x := startExporter(t)
	config := rewrite(t, "prometheus.yml", readFile(t, "../exporter/prometheus/prometheus.yml"),
		"localhost:9465", x.addr,
		"http://localhost:8080/debug/pprof/goroutine", target(leaky.Server1),
		"http://localhost:9090/debug/pprof/goroutine", target(leaky.Server2),
		"http://localhost:8081/debug/pprof/goroutine", target(healthy.Server1),
		"http://localhost:9091/debug/pprof/goroutine", target(healthy.Server2),
		// Every second, so that the test takes seconds (the scrape timeout
		// is then 1s: the files set none, so it is the interval's).
		"scrape_interval: 15s", "scrape_interval: 1s",
		"evaluation_interval: 15s", "evaluation_interval: 1s",
	)
	prom := startPrometheus(t, bin, map[string]string{
		"prometheus.yml": config,
		"alerts.yml":     shortFindingFors(t, readFile(t, "../exporter/prometheus/alerts.yml")),
	})

	names := map[string]string{
		target(leaky.Server1):   "the leaky pair's server 1",
		target(leaky.Server2):   "the leaky pair's server 2",
		target(healthy.Server1): "the healthy pair's server 1",
		target(healthy.Server2): "the healthy pair's server 2",
	}
	wants := []seriesWant{
		findingWant(diagnose.IdleClientConnections, target(leaky.Server2), diagnose.IdleClientThreshold, n),
		findingWant(diagnose.IdleClientConnections, target(healthy.Server2), 0, 0),
		findingWant(diagnose.IdleServerConnections, target(leaky.Server1), diagnose.IdleServerThreshold, n),
		findingWant(diagnose.IdleServerConnections, target(healthy.Server1), 0, 0),
		{labels: map[string]string{"__name__": "up", "job": "connleak-exporter", "instance": x.addr}, min: 1, max: 1},
	}
	for _, in := range slices.Sorted(maps.Keys(names)) {
		wants = append(wants, seriesWant{labels: map[string]string{"__name__": "probe_success", "job": "connleak", "instance": in}, min: 1, max: 1})
	}
	firing := []alertWant{
		{"ConnleakIdleClientConnections", target(leaky.Server2)},
		{"ConnleakIdleServerConnections", target(leaky.Server1)},
	}
	healthyOnes := []string{target(healthy.Server1), target(healthy.Server2)}

	// check asks Prometheus for every series of wants (in one query, as it
	// runs every few milliseconds) and for its alerts. A series not scraped
	// yet, or an alert not firing yet, is waited for; a series out of its
	// range, or any alert for a healthy server, pending or firing, fails
	// the test at once: the pairs were loaded before Prometheus started,
	// so what it first scrapes is what it must see.
	check := func() error {
		series, err := prom.query(`{__name__=~"connleak_finding|probe_success|up"}`)
		if err != nil {
			return err
		}
		var waiting []error
		for _, w := range wants {
			s, ok := w.find(series)
			switch {
			case !ok:
				waiting = append(waiting, fmt.Errorf("%s: not scraped yet", w.name(names)))
			case s.Value < w.min || s.Value > w.max:
				t.Fatalf("%s is %v, want %s", w.name(names), s.Value, w.want())
			}
		}
		alerts, err := prom.alerts()
		if err != nil {
			return err
		}
		for _, a := range alerts {
			if slices.Contains(healthyOnes, a.Labels["instance"]) {
				t.Fatalf("alert %s is %s for %s (%s), value %s: want no alert for a healthy server", a.Labels["alertname"], a.State, names[a.Labels["instance"]], a.Labels["instance"], a.Value)
			}
		}
		var notFiring []string
		for _, w := range firing {
			if !w.firing(alerts) {
				notFiring = append(notFiring, fmt.Sprintf("%s for %s (%s)", w.alert, names[w.instance], w.instance))
			}
		}
		if notFiring != nil {
			waiting = append(waiting, fmt.Errorf("alerts not firing yet: %s; alerts now: %s", strings.Join(notFiring, ", "), describe(alerts)))
		}
		return errors.Join(waiting...)
	}
	start := time.Now()
	eventually(t, 30*time.Second, check)
	t.Logf("Prometheus scraped every series and fired the leaky pair's alerts %v after it was ready", time.Since(start).Round(time.Millisecond))

	probes := exporterProbes(t, x.URL)
	if probes["success"] == 0 || probes["failure"] != 0 || probes["forbidden"] != 0 || probes["bad_request"] != 0 {
		t.Errorf("the exporter's connleak_exporter_probes_total by result: %v; want success above 0, the others 0", probes)
	}
	// Once more, now that the leaky servers' alerts have fired: the
	// healthy servers have had as many evaluations.
	if err := check(); err != nil {
		t.Errorf("after the leaky servers' alerts fired: %v", err)
	}
}

// target is the URL Prometheus has the exporter probe for an instance: its
// pprof goroutine endpoint. It is the instance label of its series.
func target(in *demo.Instance) string { return in.URL + "/debug/pprof/goroutine" }

// shortFindingFors is alerts.yml, the text of exporter/prometheus/alerts.yml, with
// each finding's alert firing after 2s of its finding instead of 5m, so
// that the test sees them fire; it fails the test unless each of
// diagnose's findings has its alert of `for: 5m`. The other alerts are
// left as they are: the growth alert cannot fire in seconds, and the
// failing probe's would be pending, which the test would see. `promtool
// test rules` (package prometheus's tests) checks the real `for`s.
func shortFindingFors(t *testing.T, alerts string) string {
	t.Helper()
	for _, f := range diagnose.Findings() {
		rule := regexp.MustCompile(`(?m)^(\s+expr: connleak_finding\{id="` + regexp.QuoteMeta(f.ID) + `"\} > 0\n\s+for: )5m$`)
		if n := len(rule.FindAllStringIndex(alerts, -1)); n != 1 {
			t.Fatalf("exporter/prometheus/alerts.yml has %d alerts on connleak_finding{id=%q} > 0 for 5m, want 1: change what the test replaces", n, f.ID)
		}
		alerts = rule.ReplaceAllString(alerts, "${1}2s")
	}
	return alerts
}

// readFile is the text of the file at path.
func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// seriesWant is a series a test expects Prometheus to have, by its labels,
// and the range its value must be in.
type seriesWant struct {
	labels   map[string]string // __name__ among them
	min, max float64
}

// findingWant is the connleak_finding series of finding id on instance,
// its value in [min, max].
func findingWant(id, instance string, min, max float64) seriesWant {
	return seriesWant{labels: map[string]string{"__name__": "connleak_finding", "job": "connleak", "id": id, "instance": instance}, min: min, max: max}
}

// find is the series of series that has w's labels.
func (w seriesWant) find(series []promSeries) (promSeries, bool) {
	for _, s := range series {
		match := true
		for k, v := range w.labels {
			match = match && s.Labels[k] == v
		}
		if match {
			return s, true
		}
	}
	return promSeries{}, false
}

// name says which series w is, naming its instance with names.
func (w seriesWant) name(names map[string]string) string {
	var sel []string
	for _, k := range slices.Sorted(maps.Keys(w.labels)) {
		if k != "__name__" && k != "instance" {
			sel = append(sel, fmt.Sprintf("%s=%q", k, w.labels[k]))
		}
	}
	in := w.labels["instance"]
	if name, ok := names[in]; ok {
		in = name + " (" + in + ")"
	}
	return fmt.Sprintf("%s{%s} of %s", w.labels["__name__"], strings.Join(sel, ","), in)
}

// want says w's range in words.
func (w seriesWant) want() string {
	if w.min == w.max {
		return strconv.FormatFloat(w.min, 'g', -1, 64)
	}
	return fmt.Sprintf("at least %g (the finding's threshold) and at most %g (the connections the load left)", w.min, w.max)
}

// alertWant is an alert a test expects to fire for an instance.
type alertWant struct {
	alert, instance string
}

// firing reports whether alerts have w's alert firing for its instance.
func (w alertWant) firing(alerts []promAlert) bool {
	for _, a := range alerts {
		if a.Labels["alertname"] == w.alert && a.Labels["instance"] == w.instance && a.State == "firing" {
			return true
		}
	}
	return false
}

// describe lists alerts in a line: name, state and instance of each.
func describe(alerts []promAlert) string {
	if len(alerts) == 0 {
		return "none"
	}
	var s []string
	for _, a := range alerts {
		s = append(s, fmt.Sprintf("%s %s for %s", a.Labels["alertname"], a.State, a.Labels["instance"]))
	}
	return strings.Join(s, ", ")
}

// exporter is a connleak exporter a test started.
type exporter struct {
	addr string // host:port, as Prometheus's targets name it
	URL  string
}

// exporterServing is the line connleak exporter logs once it serves.
var exporterServing = regexp.MustCompile(`msg="connleak exporter serving" addr=(\S+) url=(\S+)`)

// exporterStopTimeout is how long the exporter may take to stop after
// SIGTERM: it gives the probes under way their timeout (10s) and a second
// more.
const exporterStopTimeout = 15 * time.Second

// startExporter runs connleak exporter on a free loopback port and returns
// once it says where it serves. When the test ends it stops it with
// SIGTERM, and fails the test unless it exits with status 0.
func startExporter(t *testing.T) exporter {
	t.Helper()
	cmd := exec.Command(exe, "exporter", "-listen", "127.0.0.1:0")
	p, log := startService(t, "connleak exporter", cmd, exporterStopTimeout)
	var x exporter
	eventually(t, 15*time.Second, func() error {
		select {
		case <-p.Exited():
			t.Fatalf("connleak exporter exited before it served: %v; its log:\n%s", p.Err(), log)
		default:
		}
		m := exporterServing.FindStringSubmatch(log.String())
		if m == nil {
			return fmt.Errorf("connleak exporter has not logged %q", `msg="connleak exporter serving"`)
		}
		x.addr, x.URL = m[1], m[2]
		return nil
	})
	if x.URL != "http://"+x.addr {
		t.Fatalf("connleak exporter logged addr=%s url=%s, want url=http://%s", x.addr, x.URL, x.addr)
	}
	return x
}

// probesTotal is a line of connleak_exporter_probes_total.
var probesTotal = regexp.MustCompile(`(?m)^connleak_exporter_probes_total\{result="(\w+)"\} (\S+)$`)

// exporterProbes is the exporter's connleak_exporter_probes_total, by
// result, from its /metrics.
func exporterProbes(t *testing.T, url string) map[string]float64 {
	t.Helper()
	probes := map[string]float64{}
	for _, m := range probesTotal.FindAllStringSubmatch(text(t, url+"/metrics"), -1) {
		v, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			t.Fatalf("%s/metrics: %s: %v", url, m[0], err)
		}
		probes[m[1]] = v
	}
	for _, r := range []string{"success", "failure", "forbidden", "bad_request"} {
		if _, ok := probes[r]; !ok {
			t.Fatalf("%s/metrics has no connleak_exporter_probes_total{result=%q}: %v", url, r, probes)
		}
	}
	return probes
}
