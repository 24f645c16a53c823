package exporter_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
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
	"github.com/connleak/connleak/internal/poll"
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

// lineWith is the first line of log that holds s.
func lineWith(log, s string) string {
	for line := range strings.Lines(log) {
		if strings.Contains(line, s) {
			return line
		}
	}
	return ""
}

// probeMetrics is the exporter's own /metrics at addr.
func probeMetrics(t *testing.T, addr string) string {
	t.Helper()
	resp, err := noKeepAlive.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestIndex checks that / names the endpoints and the modules.
func TestIndex(t *testing.T) {
	srv, _ := serve(t, exporter.Config{})
	code, body := get(t, srv, "/", "")
	if code != http.StatusOK || !strings.Contains(body, "/probe?target=URL") || !strings.Contains(body, "modules: [default waits]") {
		t.Errorf("/: %d %q", code, body)
	}
}

// TestServeStop stops an exporter while a probe waits on a target that
// never answers: Serve lets the probe end, within the exporter's timeout,
// waits for its fetch, says it stopped, and returns nil.
func TestServeStop(t *testing.T) {
	stalled, _ := testutil.Stalled(t)
	log := &testutil.SyncBuffer{}
	x, err := exporter.New(exporter.Config{Timeout: 500 * time.Millisecond, Log: slog.New(slog.NewTextHandler(log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- x.Serve(ctx, ln) }()
	probed := make(chan string, 1)
	go func() {
		resp, err := noKeepAlive.Get("http://" + ln.Addr().String() + "/probe?target=" + url.QueryEscape(stalled+"/debug/pprof/goroutine"))
		if err != nil {
			probed <- err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		probed <- string(b)
	}()
	testutil.Eventually(t, 10*time.Second, func() error {
		return poll.True(strings.Contains(probeMetrics(t, ln.Addr().String()), "connleak_exporter_probes_waiting 1"), "the probe waiting")
	})
	cancel()
	if err := <-served; err != nil {
		t.Errorf("Serve after a stop: %v, want nil", err)
	}
	if body := <-probed; !strings.Contains(body, "probe_success 0") {
		t.Errorf("the probe under way at the stop: %q, want its answer, probe_success 0", body)
	}
	if !strings.Contains(log.String(), `msg="connleak exporter stopped"`) {
		t.Errorf("log %q, want the stop said", log.String())
	}
}

func Example() {
	x, err := exporter.New(exporter.Config{}) // loopback targets, the built-in modules
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(x.ModuleNames())
	// x is an http.Handler of /probe, /metrics and /; x.Serve serves it.
	rec := httptest.NewRecorder()
	x.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/probe?target=http://10.0.0.1:6060/debug/pprof/goroutine", nil))
	fmt.Print(rec.Code, " ", rec.Body)
	// Output:
	// [default waits]
	// 403 connleak exporter: target "http://10.0.0.1:6060/debug/pprof/goroutine" is not allowed: it does not match -allow ^(?:https?://(localhost|127\.0\.0\.1|\[::1\])(:[0-9]+)?/debug/pprof/goroutine(\?debug=[012])?)$
}
