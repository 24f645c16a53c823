package exporter_test

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/pprof"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/connleak/connleak/connleaktest"
	"github.com/connleak/connleak/diagnose"
	"github.com/connleak/connleak/exporter"
	"github.com/connleak/connleak/internal/testutil"
)

// TestMain fails the package if its tests leave an HTTP connection behind,
// not even an idle one: the exporter's own fetches close theirs, and the
// connections a test leaks on purpose are closed when it ends.
func TestMain(m *testing.M) {
	connleaktest.VerifyTestMain(m, connleaktest.Allow(diagnose.IdleClientConnections, 0))
}

// serve runs an exporter with cfg, its log in the returned buffer.
func serve(t *testing.T, cfg exporter.Config) (*httptest.Server, *testutil.SyncBuffer) {
	t.Helper()
	log := &testutil.SyncBuffer{}
	cfg.Log = slog.New(slog.NewTextHandler(log, nil))
	x, err := exporter.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(x)
	t.Cleanup(srv.Close)
	return srv, log
}

// noKeepAlive asks the exporter without keeping a connection, so that its
// probes of this process count none of the test's.
var noKeepAlive = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

// get asks the exporter for path with header, the X-Prometheus-Scrape-Timeout-Seconds
// value if not "", and returns the status and the body.
func get(t *testing.T, srv *httptest.Server, path, timeout string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if timeout != "" {
		req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", timeout)
	}
	resp, err := noKeepAlive.Do(req)
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

// probe asks the exporter to probe target, with more parameters if any,
// wants a 200, and returns its metrics.
func probe(t *testing.T, srv *httptest.Server, target string, params ...string) metrics {
	t.Helper()
	q := url.Values{"target": {target}}
	for i := 0; i+1 < len(params); i += 2 {
		q.Set(params[i], params[i+1])
	}
	code, body := get(t, srv, "/probe?"+q.Encode(), "")
	if code != http.StatusOK {
		t.Fatalf("probe %s: %d %s", target, code, body)
	}
	return parse(t, body)
}

// metrics are the samples of a reply, by name and labels as the text
// format writes them: connleak_finding{id="idle-client-connections"}.
type metrics map[string]float64

var sample = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$`)

func parse(t *testing.T, body string) metrics {
	t.Helper()
	m := metrics{}
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		s := sample.FindStringSubmatch(line)
		if s == nil {
			t.Fatalf("not a sample: %q", line)
		}
		v, err := strconv.ParseFloat(s[2], 64)
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		m[s[1]] = v
	}
	return m
}

// has fails the test unless m has each sample of want, at its value.
func (m metrics) has(t *testing.T, want map[string]float64) {
	t.Helper()
	for name, v := range want {
		got, ok := m[name]
		if !ok || got != v {
			t.Errorf("%s = %v (present: %v), want %v", name, got, ok, v)
		}
	}
}

// dumpTarget serves a saved dump at /debug/pprof/goroutine, whatever form
// it is asked for, and counts the requests it gets.
func dumpTarget(t *testing.T, file string) (string, *atomic.Int64) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/debug/pprof/goroutine", &n
}

// TestProbeMetrics probes a target serving the dumps diagnose's testdata
// holds (testdata/mkdump made them, every kind of goroutine at counts it
// knows): each series of the reply is that dump's count, the findings
// diagnose names carry their counts and the others 0, and the wait times
// are there only for the form that has them.
func TestProbeMetrics(t *testing.T) {
	srv, _ := serve(t, exporter.Config{})
	for _, form := range []string{"debug1", "debug2"} {
		t.Run(form, func(t *testing.T) {
			target, _ := dumpTarget(t, "../diagnose/testdata/dumps/go1.26.8."+form+".txt")
			m := probe(t, srv, target)
			// mkdump's groups: 60 idle HTTP/1 connections, 12 held by
			// bodies, 15 calls hanging and a queue of 10 behind one more;
			// 20 idle HTTP/2 connections and one carrying 5 calls (a dump
			// cannot say which connection a stream is on: 16 idle, 5
			// active); 10 dials in a TLS handshake; the server side of
			// each, and 8 connections that sent nothing.
			m.has(t, map[string]float64{
				"probe_success": 1,
				`connleak_http_client_connections{proto="http1",state="idle"}`:             60,
				`connleak_http_client_connections{proto="http1",state="body_unread"}`:      12,
				`connleak_http_client_connections{proto="http1",state="active"}`:           16,
				`connleak_http_client_connections{proto="http2",state="idle"}`:             16,
				`connleak_http_client_connections{proto="http2",state="active"}`:           5,
				`connleak_http_client_calls{state="waiting_for_response"}`:                 21,
				`connleak_http_client_calls{state="waiting_for_connection"}`:               10,
				`connleak_http_client_dials{state="connecting"}`:                           0,
				`connleak_http_client_dials{state="tls_handshake"}`:                        10,
				`connleak_http_server_connections{proto="http1",state="idle"}`:             72,
				`connleak_http_server_connections{proto="http1",state="awaiting_request"}`: 8,
				`connleak_http_server_connections{proto="http1",state="active"}`:           16,
				`connleak_http_server_connections{proto="http2",state="idle"}`:             16,
				`connleak_http_server_connections{proto="http2",state="active"}`:           5,
				`connleak_finding{id="idle-client-connections"}`:                           76,
				`connleak_finding{id="response-bodies-not-closed"}`:                        12,
				`connleak_finding{id="idle-server-connections"}`:                           96,
				`connleak_finding{id="waiting-for-connection"}`:                            10,
				`connleak_finding{id="calls-without-timeout"}`:                             0,
				`connleak_finding{id="dials-without-timeout"}`:                             0,
			})
			if m["connleak_goroutines"] < 300 || m["probe_duration_seconds"] <= 0 {
				t.Errorf("goroutines %v, duration %v; want the dump's, over 300, and a duration", m["connleak_goroutines"], m["probe_duration_seconds"])
			}
			waits := 0
			for k := range m {
				if strings.HasPrefix(k, "connleak_oldest_wait_seconds{") {
					waits++
				}
			}
			if want := map[string]int{"debug1": 0, "debug2": len(diagnose.Findings())}[form]; waits != want {
				t.Errorf("%d connleak_oldest_wait_seconds series, want %d", waits, want)
			}
			if len(m) != 23+waits {
				t.Errorf("%d series, want 23 and the waits: %v", len(m), m)
			}
		})
	}
}

// TestProbeWaits ages the debug=2 dump's waits: the oldest wait of each
// finding is said in seconds, and the calls that have waited a minute are
// named below their pile-up count.
func TestProbeWaits(t *testing.T) {
	b, err := os.ReadFile("../diagnose/testdata/dumps/go1.26.8.debug2.txt")
	if err != nil {
		t.Fatal(err)
	}
	aged := strings.NewReplacer("[IO wait]:", "[IO wait, 106 minutes]:", "[select]:", "[select, 3 minutes]:").Replace(string(b))
	file := t.TempDir() + "/aged.txt"
	if err := os.WriteFile(file, []byte(aged), 0o644); err != nil {
		t.Fatal(err)
	}
	target, _ := dumpTarget(t, file)
	srv, _ := serve(t, exporter.Config{})
	probe(t, srv, target, "module", "waits").has(t, map[string]float64{
		`connleak_oldest_wait_seconds{id="idle-client-connections"}`: 106 * 60,
		`connleak_oldest_wait_seconds{id="calls-without-timeout"}`:   3 * 60,
		`connleak_finding{id="calls-without-timeout"}`:               21,
		`connleak_finding{id="dials-without-timeout"}`:               10,
	})
}

// TestProbeProcess probes this very process, through net/http/pprof, in
// each form, while it holds 60 idle client connections a client per call
// left: each form says the same of them.
func TestProbeProcess(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") }))
	t.Cleanup(upstream.Close)
	for range 60 {
		// DELIBERATE LEAK: a Transport per call, never closed until the
		// test ends, so that the profile shows 60 idle connections.
		tr := &http.Transport{}
		t.Cleanup(tr.CloseIdleConnections)
		resp, err := (&http.Client{Transport: tr}).Get(upstream.URL)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	target := httptest.NewServer(pprof.Handler("goroutine"))
	t.Cleanup(target.Close)
	zero, one, two := 0, 1, 2
	srv, _ := serve(t, exporter.Config{Modules: map[string]exporter.Module{"debug0": {Debug: &zero}, "debug1": {Debug: &one}, "debug2": {Debug: &two}}})
	for _, module := range []string{"debug0", "debug1", "debug2"} {
		// A connection closed a moment ago (the previous probe's) may
		// still show: the count settles at the 60 the test holds.
		testutil.Eventually(t, 10*time.Second, func() error {
			m := probe(t, srv, target.URL, "module", module)
			idle := m[`connleak_http_client_connections{proto="http1",state="idle"}`]
			if m["probe_success"] != 1 || idle != 60 || m[`connleak_finding{id="idle-client-connections"}`] != 60 {
				return fmt.Errorf("%s: %v idle client connections, finding %v, want 60: %v", module, idle, m[`connleak_finding{id="idle-client-connections"}`], m)
			}
			if m[`connleak_http_server_connections{proto="http1",state="idle"}`] < 60 {
				return fmt.Errorf("%s: %v idle server connections, want the upstream's 60 at least", module, m[`connleak_http_server_connections{proto="http1",state="idle"}`])
			}
			if _, waits := m[`connleak_oldest_wait_seconds{id="idle-client-connections"}`]; waits != (module == "debug2") {
				return fmt.Errorf("%s: wait times %v, want them only with debug=2", module, waits)
			}
			return nil
		})
	}
}

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
		{"/probe?target=http://%zz", "", 400, "query"},
		{"/probe?target=" + url.QueryEscape("http://[::1"), "", 400, "not a URL"},
		{"/probe?target=" + url.QueryEscape(target) + "&module=prod", "", 400, `unknown module "prod": accepts default, waits`},
		{"/probe?target=" + url.QueryEscape(target) + "&debug=2", "", 400, `unknown parameter "debug": /probe accepts target and module`},
		{"/probe?target=" + url.QueryEscape(target) + "&target=" + url.QueryEscape(target), "", 400, "parameter target given 2 times: accepts one"},
		{"/probe?target=" + url.QueryEscape(target), "soon", 400, `header X-Prometheus-Scrape-Timeout-Seconds "soon": accepts seconds above 0`},
		{"/probe?target=" + url.QueryEscape(target), "-1", 400, "accepts seconds above 0"},
		{"/nothing", "", 404, "no page /nothing: the exporter answers /probe?target=URL, /metrics and /"},
	}
	for _, tt := range tests {
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
		`connleak_exporter_probes_total{result="bad_request"}`: float64(len(tests) - 3), // the 403s and the 404 are not
		`connleak_exporter_probes_total{result="forbidden"}`:   2,
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
	srv, _ := serve(t, exporter.Config{Allow: `http://` + regexp.QuoteMeta(u.Host) + `/debug/pprof/goroutine`})
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

// TestIndex checks that / names the endpoints and the modules.
func TestIndex(t *testing.T) {
	srv, _ := serve(t, exporter.Config{})
	code, body := get(t, srv, "/", "")
	if code != http.StatusOK || !strings.Contains(body, "/probe?target=URL") || !strings.Contains(body, "modules: [default waits]") {
		t.Errorf("/: %d %q", code, body)
	}
}

func Example() {
	x, err := exporter.New(exporter.Config{}) // loopback targets, the built-in modules
	if err != nil {
		fmt.Println(err)
		return
	}
	mux := http.NewServeMux()
	mux.Handle("/", x) // /probe, /metrics and /
	fmt.Println(x.ModuleNames())
	// Output: [default waits]
}
