package exporter_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/connleak/connleak/exporter"
	"github.com/connleak/connleak/internal/poll"
	"github.com/connleak/connleak/internal/testutil"
)

// TestBadProbes checks every probe the exporter refuses: the status, a
// line that says what was wrong and what is accepted, no fetch of the
// target, and the count of each result in the exporter's own metrics.
func TestBadProbes(t *testing.T) {
	target, fetched := dumpTarget(t, "../diagnose/testdata/dumps/go1.26.8.debug1.txt")
	srv, _ := serve(t, exporter.Config{})
	tests := []struct {
		path, timeout string
		code          int
		want          string
	}{
		{"/probe", "", 400, "no target: ask /probe?target=URL"},
		{"/probe?target=", "", 400, "no target"},
		{"/probe?target=http://10.0.0.1:6060/debug/pprof/goroutine", "", 403, `target "http://10.0.0.1:6060/debug/pprof/goroutine" is not allowed: it does not match -allow ^(?:https?://(localhost|127\.0\.0\.1|\[::1\])`},
		{"/probe?target=http://localhost.example.com/", "", 403, "is not allowed"},
		{"/probe?target=http://127.0.0.1:1@example.com/", "", 400, "credentials in a target are refused"},
		{"/probe?target=" + url.QueryEscape("http://user:s3cret@127.0.0.1/"), "", 400, `target "http://user:xxxxx@127.0.0.1/": credentials in a target are refused: put them in a module of the -config file`},
		{"/probe?target=ftp://127.0.0.1/", "", 400, "accepts an http:// or https:// URL"},
		{"/probe?target=" + url.QueryEscape(target+"#frag"), "", 400, "a fragment (#...) is refused: accepts a URL without"},
		{"/probe?target=" + url.QueryEscape("http://127.1/debug/pprof/goroutine"), "", 400, "host: accepts a DNS name of ASCII letters, digits, '-', '_' and '.' (an international one in its xn-- form), a dotted IPv4 address, or an IPv6 one in brackets"},
		{"/probe?target=http://%zz", "", 400, "query"},
		{"/probe?target=" + url.QueryEscape("http://[::1"), "", 400, "not a URL"},
		{"/probe?target=" + url.QueryEscape(target) + "&module=prod", "", 400, `unknown module "prod": accepts default, waits`},
		{"/probe?target=" + url.QueryEscape(target) + "&debug=2", "", 400, `unknown parameter "debug": /probe accepts target and module`},
		{"/probe?target=" + url.QueryEscape(target) + "&target=" + url.QueryEscape(target), "", 400, "parameter target given 2 times: accepts one"},
		{"/probe?target=" + url.QueryEscape(target), "soon", 400, `header X-Prometheus-Scrape-Timeout-Seconds "soon": accepts seconds above 0`},
		{"/probe?target=" + url.QueryEscape(target), "-1", 400, "accepts seconds above 0"},
		{"/probe?target=" + url.QueryEscape(target), "NaN", 400, "accepts seconds above 0"},
		{"/probe?target=http://localhost:6060/debug/pprof/profile", "", 403, "is not allowed"},
		{"/nothing", "", 404, "no page /nothing: the exporter answers /probe?target=URL, /metrics and /"},
	}
	codes := map[int]int{}
	for _, tt := range tests {
		codes[tt.code]++
		code, body := get(t, srv, tt.path, tt.timeout)
		if code != tt.code || !strings.HasPrefix(body, "connleak exporter: ") || !strings.Contains(body, tt.want) || strings.Count(body, "\n") != 1 || strings.Contains(body, "s3cret") {
			t.Errorf("%s: %d %q; want %d, one line with %q", tt.path, code, body, tt.code, tt.want)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/probe?target="+url.QueryEscape(target), nil)
	resp, err := noKeepAlive.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST /probe: %d, Allow %q; want 405, GET, HEAD", resp.StatusCode, resp.Header.Get("Allow"))
	}
	if n := fetched.Load(); n != 0 {
		t.Errorf("the target was fetched %d times, want never", n)
	}
	_, body := get(t, srv, "/metrics", "")
	parse(t, body).has(t, map[string]float64{
		`connleak_exporter_probes_total{result="bad_request"}`: float64(codes[400]),
		`connleak_exporter_probes_total{result="forbidden"}`:   float64(codes[403]), // and the 404 is no probe
		`connleak_exporter_probes_total{result="success"}`:     0,
		"connleak_exporter_fetches_total":                      0,
	})
	if !strings.Contains(body, "go_goroutines") || !strings.Contains(body, "process_cpu_seconds_total") {
		t.Errorf("/metrics has no Go or process collector: %s", body)
	}
}

// TestAllow checks -allow: matched against the whole target, so that a
// pattern naming a host admits no other host that merely contains it.
func TestAllow(t *testing.T) {
	target, fetched := dumpTarget(t, "../diagnose/testdata/dumps/go1.26.8.debug1.txt")
	u, _ := url.Parse(target)
	srv, _ := serve(t, exporter.Config{Allow: `http://` + regexp.QuoteMeta(u.Host) + `/debug/pprof/goroutine(\?debug=1)?`})
	if m := probe(t, srv, target); m["probe_success"] != 1 {
		t.Errorf("the allowed target: %v", m)
	}
	for _, other := range []string{target + "x", target + "?debug=2", "http://127.0.0.1:1/debug/pprof/goroutine", "http://example.com/?" + target} {
		if code, body := get(t, srv, "/probe?target="+url.QueryEscape(other), ""); code != http.StatusForbidden {
			t.Errorf("%s: %d %s, want 403", other, code, body)
		}
	}
	if n := fetched.Load(); n != 1 {
		t.Errorf("the target was fetched %d times, want once, for the allowed probe", n)
	}
	if _, err := exporter.New(exporter.Config{Allow: "("}); err == nil || !strings.Contains(err.Error(), `allow "("`) {
		t.Errorf("a bad -allow: %v, want an error naming it", err)
	}
}

// TestAllowMatchesURLFetched checks that -allow, and a module's allow, are
// matched against the URL fetched, the module's form added: an -allow that
// admits only ?debug=[01] lets no probe ask for debug=2, with the waits
// module or any; and one that admits no query at all, as every URL fetched
// has one, stops the exporter at its start, saying what to add.
func TestAllowMatchesURLFetched(t *testing.T) {
	queries := make(chan string, 10)
	dump, err := os.ReadFile("../diagnose/testdata/dumps/go1.26.8.debug1.txt")
	if err != nil {
		t.Fatal(err)
	}
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		queries <- r.URL.RawQuery
		w.Write(dump)
	}))
	t.Cleanup(target.Close)
	zero := 0
	srv, _ := serve(t, exporter.Config{
		Allow:   `http://127\.0\.0\.1:[0-9]+/debug/pprof/goroutine(\?debug=[01])?`,
		Modules: map[string]exporter.Module{"zero": {Debug: &zero, Allow: `.*\?debug=0`}},
	})
	goroutine := target.URL + "/debug/pprof/goroutine"
	for _, tt := range []struct {
		target, module string
		code           int
		want           string // the query fetched, or what the 403 says
	}{
		{goroutine, exporter.DefaultModule, 200, "debug=1"},
		{goroutine, "zero", 200, "debug=0"},
		{goroutine + "?debug=0", exporter.WaitsModule, 200, "debug=0"},
		{goroutine, exporter.WaitsModule, 403, `is not allowed: the URL fetched, "` + goroutine + `?debug=2" (module "waits"'s form added), does not match -allow`},
		{goroutine + "?debug=2", exporter.DefaultModule, 403, "is not allowed: it does not match -allow"},
		{goroutine + "?debug=1", "zero", 403, `is not allowed with module "zero": it does not match the module's allow ^(?:.*\?debug=0)$`},
	} {
		code, body := get(t, srv, "/probe?module="+tt.module+"&target="+url.QueryEscape(tt.target), "")
		if code != tt.code {
			t.Errorf("%s, module %s: %d %s, want %d", tt.target, tt.module, code, body, tt.code)
			continue
		}
		if code != http.StatusOK {
			if !strings.Contains(body, tt.want) {
				t.Errorf("%s, module %s: %q, want %q", tt.target, tt.module, body, tt.want)
			}
			continue
		}
		if got := <-queries; got != tt.want {
			t.Errorf("%s, module %s: fetched with ?%s, want ?%s", tt.target, tt.module, got, tt.want)
		}
	}
	if n := len(queries); n != 0 {
		t.Errorf("%d more fetches, want none for the refused probes", n)
	}
	for _, cfg := range []exporter.Config{
		{Allow: `http://10\.[0-9.]+:6060/debug/pprof/goroutine`},
		{Modules: map[string]exporter.Module{"prod": {Allow: `https?://localhost(:[0-9]+)?/debug/pprof/goroutine`}}},
	} {
		_, err := exporter.New(cfg)
		if err == nil || !strings.Contains(err.Error(), `admits no URL with a query, and every URL fetched has one, its form (?debug=N): add (\?debug=[012])? after the path`) {
			t.Errorf("%+v: %v, want an error that says what to add", cfg, err)
		}
	}
}

// TestScrapeTimeout checks that a probe of a target that never answers
// ends within Prometheus's scrape timeout, less the offset, where that is
// shorter than the exporter's, and within the exporter's where it is not.
func TestScrapeTimeout(t *testing.T) {
	stalled, _ := testutil.Stalled(t)
	for _, tt := range []struct {
		exporter time.Duration
		header   string
		want     float64 // seconds: the probe cannot end before (the target never answers)
	}{
		{time.Hour, "1", 0.5},
		{time.Hour, "0.6", 0.3}, // half the scrape's, where the offset would leave less
		{500 * time.Millisecond, "60", 0.5},
		{500 * time.Millisecond, "+Inf", 0.5},
	} {
		srv, log := serve(t, exporter.Config{Timeout: tt.exporter})
		code, body := get(t, srv, "/probe?target="+url.QueryEscape(stalled+"/debug/pprof/goroutine"), tt.header)
		m := parse(t, body)
		// It ends long before the longer of the two.
		if d := m["probe_duration_seconds"]; code != http.StatusOK || m["probe_success"] != 0 || d < tt.want || d > 5 {
			t.Errorf("-timeout %v, scrape %ss: %d %v; want probe_success 0 after %vs", tt.exporter, tt.header, code, m, tt.want)
		}
		if !strings.Contains(log.String(), "timed out: no whole profile within the probe's timeout") {
			t.Errorf("log %q, want the timeout said", log.String())
		}
	}
}

// TestSharedTimeouts starts two probes of one target that answers late, at
// once: one whose scrape timeout runs out first, one whose does not. The
// fetch they share goes on when the first gives up, and the second gets
// the profile; a fetch no probe waits for any more is ended.
func TestSharedTimeouts(t *testing.T) {
	dump, err := os.ReadFile("../diagnose/testdata/dumps/go1.26.8.debug1.txt")
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	abandoned := make(chan struct{}, 1)
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("never") {
			<-r.Context().Done() // the exporter hung up: its fetch was ended
			abandoned <- struct{}{}
			return
		}
		<-release
		w.Write(dump)
	}))
	t.Cleanup(target.Close)
	srv, _ := serve(t, exporter.Config{Allow: `http://127\.0\.0\.1:[0-9]+/debug/pprof/goroutine\?(never&)?debug=1`})
	path := "/probe?target=" + url.QueryEscape(target.URL+"/debug/pprof/goroutine")
	results := make(chan metrics, 2)
	for _, timeout := range []string{"1", "30"} {
		go func() {
			_, body := get(t, srv, path, timeout)
			results <- parse(t, body)
		}()
	}
	testutil.Eventually(t, 10*time.Second, func() error {
		_, body := get(t, srv, "/metrics", "")
		if n := parse(t, body)["connleak_exporter_probes_waiting"]; n != 2 {
			return fmt.Errorf("%v probes waiting, want 2", n)
		}
		return nil
	})
	if m := <-results; m["probe_success"] != 0 {
		t.Errorf("the probe whose timeout ran out: %v, want probe_success 0", m)
	}
	close(release)
	if m := <-results; m["probe_success"] != 1 {
		t.Errorf("the probe that waited: %v, want the profile", m)
	}
	_, body := get(t, srv, "/metrics", "")
	parse(t, body).has(t, map[string]float64{"connleak_exporter_fetches_total": 1})

	if _, body := get(t, srv, "/probe?target="+url.QueryEscape(target.URL+"/debug/pprof/goroutine?never"), "1"); parse(t, body)["probe_success"] != 0 {
		t.Errorf("a target that never answers: %s", body)
	}
	select {
	case <-abandoned:
	case <-time.After(10 * time.Second):
		t.Error("the fetch of a target no probe waits for any more goes on")
	}
}

// TestSharedFetch starts probes of one target while its profile is being
// fetched: they share that one fetch, and all get its metrics.
func TestSharedFetch(t *testing.T) {
	dump, err := os.ReadFile("../diagnose/testdata/dumps/go1.26.8.debug1.txt")
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	var fetched atomic.Int64
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetched.Add(1)
		<-release
		w.Write(dump)
	}))
	t.Cleanup(target.Close)
	srv, _ := serve(t, exporter.Config{})
	const probes = 5
	results := make([]metrics, probes)
	var wg sync.WaitGroup
	for i := range probes {
		wg.Go(func() {
			_, body := get(t, srv, "/probe?target="+url.QueryEscape(target.URL+"/debug/pprof/goroutine"), "")
			results[i] = parse(t, body)
		})
	}
	// Every probe has joined the fetch once the exporter counts them all
	// waiting: only then may the target answer.
	testutil.Eventually(t, 10*time.Second, func() error {
		_, body := get(t, srv, "/metrics", "")
		if n := parse(t, body)["connleak_exporter_probes_waiting"]; n != probes {
			return fmt.Errorf("%v probes waiting, want %d", n, probes)
		}
		return nil
	})
	close(release)
	wg.Wait()
	for i, m := range results {
		if m["probe_success"] != 1 || m[`connleak_finding{id="idle-client-connections"}`] != 76 {
			t.Errorf("probe %d: %v", i, m)
		}
	}
	_, body := get(t, srv, "/metrics", "")
	parse(t, body).has(t, map[string]float64{
		"connleak_exporter_fetches_total":                  1,
		`connleak_exporter_probes_total{result="success"}`: probes,
		"connleak_exporter_probes_waiting":                 0,
	})
	if n := fetched.Load(); n != 1 {
		t.Errorf("the target was fetched %d times, want once", n)
	}
}

// TestCanceled checks that a probe whose client goes away is counted as
// canceled, neither a failure of the target nor a line in the log.
func TestCanceled(t *testing.T) {
	stalled, _ := testutil.Stalled(t)
	srv, log := serve(t, exporter.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/probe?target="+url.QueryEscape(stalled+"/debug/pprof/goroutine"), nil)
		resp, err := noKeepAlive.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	testutil.Eventually(t, 10*time.Second, func() error {
		_, body := get(t, srv, "/metrics", "")
		return poll.True(parse(t, body)["connleak_exporter_probes_waiting"] == 1, "the probe waiting")
	})
	cancel()
	<-done
	testutil.Eventually(t, 10*time.Second, func() error {
		_, body := get(t, srv, "/metrics", "")
		m := parse(t, body)
		if m[`connleak_exporter_probes_total{result="canceled"}`] != 1 || m[`connleak_exporter_probes_total{result="failure"}`] != 0 {
			return fmt.Errorf("probes %v, want one canceled, no failure", m)
		}
		return nil
	})
	if strings.Contains(log.String(), "probe failed") {
		t.Errorf("log %q, want no failure said", log.String())
	}
}
