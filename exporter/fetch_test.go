package exporter_test

import (
	"context"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/connleak/connleak/exporter"
	"github.com/connleak/connleak/internal/poll"
	"github.com/connleak/connleak/internal/testutil"
)

// TestFailedProbes checks each way a target can fail a probe: the reply is
// a 200 with probe_success 0 and the probe's duration, and nothing else;
// the log has one line that says why; a redirect is not followed.
func TestFailedProbes(t *testing.T) {
	var followed atomic.Int64
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { followed.Add(1) }))
	t.Cleanup(elsewhere.Close)
	dump, err := os.ReadFile("../diagnose/testdata/dumps/go1.26.8.debug2.txt")
	if err != nil {
		t.Fatal(err)
	}
	handlers := map[string]http.HandlerFunc{
		"/missing":  http.NotFound,
		"/redirect": func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, elsewhere.URL, http.StatusFound) },
		"/echo": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, "you sent %s", r.Header.Get("Authorization"))
		},
		"/html": func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<html>not a dump</html>") },
		"/big":  func(w http.ResponseWriter, r *http.Request) { w.Write(dump) },
	}
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handlers[r.URL.Path](w, r) }))
	t.Cleanup(target.Close)

	srv, log := serve(t, exporter.Config{MaxBytes: int64(len(dump)) - 1})
	tests := []struct{ target, why string }{
		{target.URL + "/missing", "status 404 Not Found"},
		{target.URL + "/redirect", "status 302 Found: a redirect, not followed"},
		{target.URL + "/echo", "status 401 Unauthorized"},
		{target.URL + "/html", "no goroutine found: want a goroutine dump"},
		{target.URL + "/big", fmt.Sprintf("more than %d bytes (-max-bytes)", len(dump)-1)},
		{"http://127.0.0.1:1/debug/pprof/goroutine", "connection refused"},
	}
	for _, tt := range tests {
		m := probe(t, srv, tt.target)
		if len(m) != 2 || m["probe_success"] != 0 || m["probe_duration_seconds"] <= 0 {
			t.Errorf("%s: %v, want probe_success 0 and a duration, nothing else", tt.target, m)
		}
		line := lineWith(log.String(), "target="+tt.target+" ")
		if !strings.Contains(line, `msg="probe failed"`) || !strings.Contains(line, tt.why) {
			t.Errorf("%s: log line %q, want probe failed, %s", tt.target, line, tt.why)
		}
	}
	if n := followed.Load(); n != 0 {
		t.Errorf("the redirect was followed %d times", n)
	}
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

// TestScrapeTimeout checks that a probe ends within Prometheus's scrape
// timeout, less the offset, rather than the exporter's own, on a target
// that never answers.
func TestScrapeTimeout(t *testing.T) {
	stalled, _ := testutil.Stalled(t)
	srv, log := serve(t, exporter.Config{Timeout: time.Hour})
	code, body := get(t, srv, "/probe?target="+url.QueryEscape(stalled+"/debug/pprof/goroutine"), "1")
	m := parse(t, body)
	// 1s less the 0.5s offset: the probe cannot end before it (the target
	// never answers), and ends long before the exporter's hour.
	if code != http.StatusOK || m["probe_success"] != 0 || m["probe_duration_seconds"] < 0.5 || m["probe_duration_seconds"] > 30 {
		t.Errorf("%d %v; want probe_success 0 after 0.5s", code, m)
	}
	if !strings.Contains(log.String(), "timed out: no whole profile within the probe's timeout") {
		t.Errorf("log %q, want the timeout said", log.String())
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
			_, body := get(t, srv, "/probe?target="+url.QueryEscape(target.URL), "")
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

// TestCredentials checks a module's credentials and TLS settings: a
// target that wants them gets them, over https with the module's CA, a
// probe without them fails, and neither the password nor the token is ever
// in a reply or the log, even when the target echoes them back.
func TestCredentials(t *testing.T) {
	dump, err := os.ReadFile("../diagnose/testdata/dumps/go1.26.8.debug1.txt")
	if err != nil {
		t.Fatal(err)
	}
	const password, token = "s3cret-password", "s3cret-token"
	target := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if (ok && user == "prometheus" && pass == password) || r.Header.Get("Authorization") == "Bearer "+token {
			w.Write(dump)
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, "you sent %q", r.Header.Get("Authorization")) // what a careless target may do
	}))
	t.Cleanup(target.Close)
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	ca := write("ca.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: target.Certificate().Raw})))
	passwordFile := write("password", password+"\n")
	config := write("connleak.yml", fmt.Sprintf(`modules:
  basic:
    basic_auth: {username: prometheus, password_file: %s}
    tls_config: {ca_file: %s}
  bearer:
    bearer_token: %s
    tls_config: {ca_file: %s}
  wrong:
    basic_auth: {username: prometheus, password: not-it}
    tls_config: {ca_file: %s}
`, passwordFile, ca, token, ca, ca))
	modules, err := exporter.LoadConfig(config)
	if err != nil {
		t.Fatal(err)
	}
	srv, log := serve(t, exporter.Config{Modules: modules})
	for module, want := range map[string]float64{"basic": 1, "bearer": 1, "wrong": 0, exporter.DefaultModule: 0} {
		m := probe(t, srv, target.URL, "module", module)
		if m["probe_success"] != want {
			t.Errorf("module %s: probe_success %v, want %v", module, m["probe_success"], want)
		}
	}
	if !strings.Contains(lineWith(log.String(), "module=default"), "certificate signed by unknown authority") {
		t.Errorf("the default module trusts the target's CA: %s", log.String())
	}
	if !strings.Contains(lineWith(log.String(), "module=wrong"), "status 401 Unauthorized") {
		t.Errorf("module wrong: %s", log.String())
	}
	_, index := get(t, srv, "/", "")
	for _, text := range []string{log.String(), index, fmt.Sprintf("%v %+v %#v", modules, modules, modules)} {
		if strings.Contains(text, "s3cret") {
			t.Errorf("a secret is out: %s", text)
		}
	}
}

// TestServeStop stops an exporter while a probe waits on a target that
// never answers, under a scrape timeout longer than the exporter's own:
// Serve cuts it after its own timeout, says so, and returns nil.
func TestServeStop(t *testing.T) {
	stalled, _ := testutil.Stalled(t)
	log := &testutil.SyncBuffer{}
	x, err := exporter.New(exporter.Config{Timeout: 100 * time.Millisecond, Log: slog.New(slog.NewTextHandler(log, nil))})
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
	probed := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, "http://"+ln.Addr().String()+"/probe?target="+url.QueryEscape(stalled+"/debug/pprof/goroutine"), nil)
		req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", "60")
		resp, err := noKeepAlive.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		probed <- err
	}()
	testutil.Eventually(t, 10*time.Second, func() error {
		return poll.True(strings.Contains(probeMetrics(t, ln.Addr().String()), "connleak_exporter_probes_waiting 1"), "the probe waiting")
	})
	cancel()
	if err := <-served; err != nil {
		t.Errorf("Serve after a stop: %v, want nil", err)
	}
	if err := <-probed; err == nil {
		t.Errorf("the probe was answered, want it cut")
	}
	if !strings.Contains(log.String(), `msg="probes cut at stop"`) {
		t.Errorf("log %q, want the cut said", log.String())
	}
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
