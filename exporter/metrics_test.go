package exporter_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/pprof"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/connleak/connleak/diagnose"
	"github.com/connleak/connleak/exporter"
	"github.com/connleak/connleak/internal/testutil"
)

// TestProbeMetrics probes a target serving the dumps diagnose's testdata
// holds (testdata/mkdump made them, with Go 1.21 to 1.27, every kind of
// goroutine at counts it knows): each series of the reply is that dump's
// count, whatever the Go version, the findings diagnose names carry their
// counts and the others 0, and the wait times are there only for the form
// that has them.
func TestProbeMetrics(t *testing.T) {
	srv, _ := serve(t, exporter.Config{})
	files, err := filepath.Glob("../diagnose/testdata/dumps/go*.debug[12].txt")
	if err != nil || len(files) < 8 {
		t.Fatalf("%d dumps, %v: want debug=1 and debug=2 of four Go versions", len(files), err)
	}
	for _, file := range files {
		form := strings.TrimSuffix(file[strings.LastIndex(file, ".debug")+1:], ".txt")
		t.Run(filepath.Base(file), func(t *testing.T) {
			target, _ := dumpTarget(t, file)
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
			m := probe(t, srv, target.URL+"/debug/pprof/goroutine", "module", module)
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
