package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestTargets checks that each target serves its dump in the form asked,
// and refuses another form and another path.
func TestTargets(t *testing.T) {
	d := savedDump{Goroutines: 3, Debug1: []byte("goroutine profile: total 3\n"), Debug2: []byte("goroutine 1 [running]:\nmain.main()\n")}
	tg, err := startTargets(3, d)
	defer func() {
		if err := tg.close(); err != nil {
			t.Error(err)
		}
	}()
	if err != nil {
		t.Fatal(err)
	}
	if len(tg.URLs) != 3 || tg.URLs[0] == tg.URLs[1] {
		t.Fatalf("targets at %q, want 3 distinct URLs", tg.URLs)
	}
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	for _, target := range tg.URLs {
		for _, tt := range []struct {
			query string
			code  int
			body  string
		}{
			{"?debug=1", http.StatusOK, string(d.Debug1)},
			{"?debug=2", http.StatusOK, string(d.Debug2)},
			{"?debug=0", http.StatusBadRequest, "serves ?debug=1 and ?debug=2"},
			{"", http.StatusBadRequest, "serves ?debug=1 and ?debug=2"},
		} {
			code, body := get(t, c, target+tt.query)
			if code != tt.code || !strings.Contains(body, tt.body) {
				t.Errorf("GET %s: %d %q, want %d %q", target+tt.query, code, body, tt.code, tt.body)
			}
		}
	}
	other := strings.TrimSuffix(tg.URLs[0], dumpPath) + "/debug/pprof/heap?debug=1"
	if code, _ := get(t, c, other); code != http.StatusNotFound {
		t.Errorf("GET %s: %d, want 404", other, code)
	}
}

// get is the status and body of a GET of u.
func get(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// fakeExporter answers probes as the exporter does, in the text format,
// with probe_success 1 and 42 goroutines, or probe_success 0 for the target
// named fail; it records the targets and modules probed.
type fakeExporter struct {
	fail string

	mu     sync.Mutex // guards probed
	probed []string   // "module target", in the order the probes came
}

func (f *fakeExporter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.mu.Lock()
	f.probed = append(f.probed, q.Get("module")+" "+q.Get("target"))
	f.mu.Unlock()
	if r.Header.Get("X-Prometheus-Scrape-Timeout-Seconds") == "" {
		http.Error(w, "no scrape timeout", http.StatusBadRequest)
		return
	}
	if q.Get("target") == f.fail {
		fmt.Fprint(w, "# TYPE probe_duration_seconds gauge\nprobe_duration_seconds 0.01\n# TYPE probe_success gauge\nprobe_success 0\n")
		return
	}
	fmt.Fprint(w, "# HELP connleak_goroutines Goroutines.\n# TYPE connleak_goroutines gauge\nconnleak_goroutines 42\n"+
		"connleak_http_client_connections{proto=\"http1\",state=\"idle\"} 21\n# TYPE probe_success gauge\nprobe_success 1\n")
}

// TestProbeAll checks that the probes go round robin, at most N of them,
// with the module asked, that the goroutines are those the replies count,
// and that a failed probe is an error.
func TestProbeAll(t *testing.T) {
	f := &fakeExporter{fail: "http://127.0.0.1:3/debug/pprof/goroutine"}
	srv := httptest.NewServer(f)
	defer srv.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	targets := []string{"http://127.0.0.1:1/debug/pprof/goroutine", "http://127.0.0.1:2/debug/pprof/goroutine"}
	l := probeLoad{Client: &http.Client{Transport: tr}, Exporter: srv.URL, Module: "waits", Targets: targets, C: 1, N: 5}
	sum, err := probeAll(context.Background(), l)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Probes != 5 || sum.Goroutines != 42 || sum.Wall <= 0 {
		t.Errorf("probeAll: %+v, want 5 probes counting 42 goroutines", sum)
	}
	var want []string
	for i := range 5 {
		want = append(want, "waits "+targets[i%2])
	}
	if got := strings.Join(f.probed, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("probed\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}

	l.C, l.N, l.Duration = 2, 0, 50*time.Millisecond
	if sum, err := probeAll(context.Background(), l); err != nil || sum.Probes == 0 {
		t.Errorf("probeAll for 50ms: %+v, %v; want some probes", sum, err)
	}

	l.Targets, l.N = append(targets, f.fail), 0
	if _, err := probeAll(context.Background(), l); err == nil || !strings.Contains(err.Error(), "no probe_success 1") {
		t.Errorf("probeAll with a failing target: %v, want an error saying the probe failed", err)
	}
}

// TestReadProbe checks what a probe's reply must hold.
func TestReadProbe(t *testing.T) {
	for _, tt := range []struct {
		reply string
		want  int
		err   string
	}{
		{"connleak_goroutines 18004\nprobe_success 1\n", 18004, ""},
		{"# TYPE x gauge\nconnleak_goroutines_total 3\nconnleak_goroutines 1.8004e+04\nprobe_success 1\n", 18004, ""},
		{"probe_duration_seconds 0.2\nprobe_success 0\n", 0, "no probe_success 1"},
		{"probe_success 1\n", 0, "no connleak_goroutines"},
		{"probe_success{a=\"b\"} 1\n", 0, "no probe_success 1"},
	} {
		got, err := readProbe([]byte(tt.reply))
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("readProbe(%q): %d, %v; want an error naming %s", tt.reply, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("readProbe(%q): %d, %v; want %d", tt.reply, got, err, tt.want)
		}
	}
}

// TestExporterFetches checks the count read from the exporter's /metrics.
func TestExporterFetches(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, "# TYPE connleak_exporter_fetches_total counter\nconnleak_exporter_fetches_total 1.234567e+06\nconnleak_exporter_probes_total{result=\"success\"} 9\n")
	}))
	defer srv.Close()
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if n, err := exporterFetches(context.Background(), c, srv.URL); err != nil || n != 1234567 {
		t.Errorf("exporterFetches: %d, %v; want 1234567", n, err)
	}
	if _, err := exporterFetches(context.Background(), c, srv.URL+"/elsewhere"); err == nil {
		t.Error("exporterFetches of a page without the counter: no error")
	}
}

// TestExporterMedian checks each measure's median, and the fleet.
func TestExporterMedian(t *testing.T) {
	runs := []ExporterSample{
		{ProbesPerSec: 30, Probes: 45, CPUPerProbe: 30 * time.Millisecond, PeakRSS: 90 << 20},
		{ProbesPerSec: 10, Probes: 15, CPUPerProbe: 20 * time.Millisecond, PeakRSS: 70 << 20},
		{ProbesPerSec: 20, Probes: 30, CPUPerProbe: 40 * time.Millisecond, PeakRSS: 80 << 20},
	}
	m := exporterMedian(runs)
	if m.ProbesPerSec != 20 || m.Probes != 30 || m.CPUPerProbe != 30*time.Millisecond || m.PeakRSS != 80<<20 {
		t.Errorf("median of 3 runs = %+v, want each measure's middle value", m)
	}
	if got := m.Fleet(); got != 1000 {
		t.Errorf("fleet at 30ms a probe: %d, want 1000 every 30s", got)
	}
	if got := (ExporterSample{}).Fleet(); got != 0 {
		t.Errorf("fleet with no CPU measured: %d, want 0", got)
	}
}

// TestWriteExporter checks the header line, a row per case and the
// legend.
func TestWriteExporter(t *testing.T) {
	cfg := ExporterConfig{Targets: 100, C: 8, Duration: 1500 * time.Millisecond, Rounds: 5}
	results := []ExporterResult{
		{ExporterCase{Goroutines: 1004, Module: "default", Debug: 1, DumpBytes: 4900, GOMAXPROCS: 1}, nil,
			ExporterSample{ProbesPerSec: 2389.66, Probes: 3584, Fetches: 3584, CPUPerProbe: 400 * time.Microsecond, PeakRSS: 23 << 20, EndRSS: 22 << 20}},
		{ExporterCase{Goroutines: 18004, Module: "waits", Debug: 2, DumpBytes: 11_204_000, GOMAXPROCS: 2}, nil,
			ExporterSample{ProbesPerSec: 21.04, Probes: 31, Fetches: 30, CPUPerProbe: 61250 * time.Microsecond, PeakRSS: 120 << 20, EndRSS: 100 << 20}},
	}
	var b bytes.Buffer
	if err := WriteExporter(&b, results, cfg, 2); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`(?m)^connleak exporter on 2 cores: 100 loopback targets serving saved goroutine profiles, probed round robin, 8 at once on kept-alive connections,$`,
		`(?m)^for 1.5s per run on a fresh exporter, medians of 5 interleaved runs:$`,
		`(?m)^GOROUTINES +MODULE +FORM +DUMP +GOMAXPROCS +PROBES/S +CPU/PROBE +FLEET/CORE +PEAK-RSS +RSS-END +PROBES +FETCHES$`,
		`(?m)^1004 +default +debug=1 +4\.9 kB +1 +2389\.7 +0\.40ms +75000 +23\.0 MiB +22\.0 MiB +3584 +3584$`,
		`(?m)^18004 +waits +debug=2 +11\.2 MB +2 +21\.0 +61\.25ms +489 +120\.0 MiB +100\.0 MiB +31 +30$`,
		`could probe every 30s at that cost; the goal is 1000 \(33\.3 probes/s\)`,
	} {
		if !regexp.MustCompile(want).Match(b.Bytes()) {
			t.Errorf("no %s in\n%s", want, &b)
		}
	}
	// Fewer targets than probers: as many at once as targets.
	cfg.Targets = 4
	b.Reset()
	if err := WriteExporter(&b, nil, cfg, 2); err != nil || !strings.Contains(b.String(), "4 loopback targets serving saved goroutine profiles, probed round robin, 4 at once") {
		t.Errorf("with 4 targets: %v\n%s", err, &b)
	}
}
