package exporter_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/connleak/connleak/exporter"
	"github.com/connleak/connleak/internal/hostile"
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

	srv, log := serve(t, exporter.Config{Allow: `http://127\.0\.0\.1:[0-9]+/.*`, MaxBytes: int64(len(dump)) - 1})
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

// TestQueryAsGiven checks that the target is fetched as -allow matched it:
// its query as written, the form added only where it asks for none.
func TestQueryAsGiven(t *testing.T) {
	dump, err := os.ReadFile("../diagnose/testdata/dumps/go1.26.8.debug1.txt")
	if err != nil {
		t.Fatal(err)
	}
	queries := make(chan string, 1)
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		queries <- r.URL.RawQuery
		w.Write(dump)
	}))
	t.Cleanup(target.Close)
	srv, _ := serve(t, exporter.Config{Allow: `http://127\.0\.0\.1:[0-9]+/debug/pprof/goroutine.*`})
	for query, want := range map[string]string{"": "debug=1", "?a=1;b=2": "a=1;b=2&debug=1", "?debug=2&x=%zz": "debug=2&x=%zz"} {
		if m := probe(t, srv, target.URL+"/debug/pprof/goroutine"+query); m["probe_success"] != 1 {
			t.Errorf("%q: %v", query, m)
		}
		if got := <-queries; got != want {
			t.Errorf("%q: fetched with ?%s, want ?%s", query, got, want)
		}
	}
}

// TestHostileTargets probes targets that answer with package hostile's
// profiles, each made to take memory or time out of proportion to its
// size, two of each, all at once, with a scrape timeout of a second: each
// probe is answered, and once they are, no fetch is left running (a read
// stops when its last probe ends, whatever it was reading), so that a
// probe of a healthy target then succeeds. Before the read stopped with
// its context, the fetches of the profiles of inlined calls ran on for
// seconds after their probes, each holding a slot.
func TestHostileTargets(t *testing.T) {
	mux := http.NewServeMux()
	var targets []string
	for _, in := range hostile.Inputs() {
		data := in.Data
		if in.Binary {
			data = stored(t, data) // as a target may answer whatever form it was asked for
		}
		for i := range 2 {
			path := fmt.Sprintf("/%s/%d/debug/pprof/goroutine", in.Name, i)
			mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) { w.Write(data) })
			targets = append(targets, path)
		}
	}
	healthy, err := os.ReadFile("../diagnose/testdata/dumps/go1.26.8.debug1.txt")
	if err != nil {
		t.Fatal(err)
	}
	mux.HandleFunc("/healthy/debug/pprof/goroutine", func(w http.ResponseWriter, r *http.Request) { w.Write(healthy) })
	target := httptest.NewServer(mux)
	t.Cleanup(target.Close)

	srv, _ := serve(t, exporter.Config{Allow: `http://127\.0\.0\.1:[0-9]+/.*`})
	var wg sync.WaitGroup
	for _, path := range targets {
		wg.Go(func() {
			code, body := get(t, srv, "/probe?target="+url.QueryEscape(target.URL+path), "1")
			if code != http.StatusOK || !strings.Contains(body, "probe_success") {
				t.Errorf("%s: %d %q, want 200 and probe_success", path, code, body)
			}
		})
	}
	wg.Wait()
	testutil.Eventually(t, 10*time.Second, func() error {
		_, body := get(t, srv, "/metrics", "")
		return poll.True(parse(t, body)["connleak_exporter_fetches_running"] == 0, "no fetch running")
	})
	if m := probe(t, srv, target.URL+"/healthy/debug/pprof/goroutine"); m["probe_success"] != 1 {
		t.Errorf("a healthy target after: %v, want probe_success 1", m)
	}
}

// stored is data gzipped without compression: as dump reads it, and
// quicker to make than a compressed one under the race detector.
func stored(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := gzip.NewWriterLevel(&b, gzip.NoCompression)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
