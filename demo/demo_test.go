package demo

import (
	"bytes"
	"encoding/json"
	"flag"
	"github.com/connleak/connleak/scenario"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// results are samples measured by a real run of every scenario, with their
// verdicts taken out: go run ./main demo -n 60 -json demo/testdata/results.json
func results(t *testing.T) []Result {
	t.Helper()
	b, err := os.ReadFile("testdata/results.json")
	if err != nil {
		t.Fatal(err)
	}
	var rs []Result
	if err := json.Unmarshal(b, &rs); err != nil {
		t.Fatal(err)
	}
	for i := range rs {
		rs[i].Verdict, rs[i].RecoveredAfter = "", 0
		rs[i].judge()
	}
	return rs
}

func TestVerdicts(t *testing.T) {
	rs := results(t)
	if len(rs) != len(scenario.All()) {
		t.Fatalf("%d recorded results, want one per scenario (%d)", len(rs), len(scenario.All()))
	}
	for _, r := range rs {
		if r.Verdict != r.Want {
			t.Errorf("%s: verdict %s, want %s", r.Name, r.Verdict, r.Want)
		}
	}
	if err := Check(rs); err != nil {
		t.Errorf("Check: %v", err)
	}
}

// TestVerdictRules feeds the rules samples on each side of their lines.
func TestVerdictRules(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name   string
		points []Point // the last request's sample is points[2]
		want   scenario.Verdict
		after  time.Duration
	}{
		{"grows and stays", []Point{{G2: 5, G1: 5}, {G2: 45, G1: 25}, {At: 100 * ms, G2: 85, G1: 45}, {At: 300 * ms, G2: 85, G1: 45}}, scenario.Leaks, 0},
		{"grows and comes back", []Point{{G2: 5, G1: 5}, {G2: 45, G1: 25}, {At: 100 * ms, G2: 85, G1: 45}, {At: 300 * ms, G2: 60, G1: 30}, {At: 1200 * ms, G2: 8, G1: 6}}, scenario.Recovers, 1100 * ms},
		{"server 1 not back", []Point{{G2: 5, G1: 5}, {G2: 45, G1: 25}, {At: 100 * ms, G2: 85, G1: 45}, {At: 1200 * ms, G2: 7, G1: 30}}, scenario.Leaks, 0},
		{"half a goroutine per request is growth", []Point{{G2: 5, G1: 5}, {G2: 15, G1: 5}, {At: 100 * ms, G2: 25, G1: 5}, {At: 200 * ms, G2: 25, G1: 5}}, scenario.Leaks, 0},
		{"just under half is flat", []Point{{G2: 5, G1: 5}, {G2: 15, G1: 5}, {At: 100 * ms, G2: 24, G1: 5}, {At: 200 * ms, G2: 24, G1: 5}}, scenario.Flat, 0},
		{"one pooled connection is flat", []Point{{G2: 5, G1: 5}, {G2: 7, G1: 6}, {At: 100 * ms, G2: 7, G1: 6}, {At: 200 * ms, G2: 7, G1: 6}}, scenario.Flat, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Result{N: 40, Points: tt.points, LoadEnd: 2}
			r.judge()
			if r.Verdict != tt.want || r.RecoveredAfter != tt.after {
				t.Errorf("verdict %s after %v, want %s after %v", r.Verdict, r.RecoveredAfter, tt.want, tt.after)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	rs := results(t)
	rs[0].Verdict, rs[3].Verdict = scenario.Flat, scenario.Leaks
	err := Check(rs)
	if err == nil || !strings.Contains(err.Error(), "leak is FLAT, want LEAKS") || !strings.Contains(err.Error(), "no-keepalive is LEAKS, want FLAT") {
		t.Errorf("Check: %v, want both wrong rows named", err)
	}

	rs = results(t)
	rs[0].Diagnosis1, rs[2].Diagnosis2 = "none", scenario.IdleClientConnections
	err = Check(rs)
	if err == nil || !strings.Contains(err.Error(), "leak: diagnose named none on server 1, want idle-server-connections") ||
		!strings.Contains(err.Error(), "idle-timeout: diagnose named idle-client-connections on server 2, want none") {
		t.Errorf("Check: %v, want both wrong diagnoses named", err)
	}
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s changed:\n got %s\nwant %s\n(go test ./demo -update rewrites it)", name, got, want)
	}
}

func TestTable(t *testing.T) {
	var b bytes.Buffer
	if err := WriteTable(&b, results(t)); err != nil {
		t.Fatal(err)
	}
	golden(t, "table.txt", b.Bytes())
}

func TestChart(t *testing.T) {
	rs := results(t)
	golden(t, "leak.svg", []byte(Chart(&rs[0])))

	r := Result{Scenario: scenario.Scenario{Name: "tiny"}, N: 2, LoadEnd: 1, Points: []Point{
		{G2: 5, G1: 5}, {At: 500 * time.Millisecond, G2: 9, G1: 7}, {At: time.Second, G2: 9, G1: 7},
	}}
	svg := Chart(&r)
	// x: 1s spans 56..624; y: 10 goroutines span 204..24.
	for _, want := range []string{
		`<polyline class="server2" fill="none" stroke="#1f77b4" stroke-width="2" points="56.0,114.0 340.0,42.0 624.0,42.0"/>`,
		`<polyline class="server1" fill="none" stroke="#ff7f0e" stroke-width="2" points="56.0,114.0 340.0,78.0 624.0,78.0"/>`,
		`<rect x="56.0" y="24" width="284.0" height="180" fill="#eef"/>`,
		`>2 requests</text>`,
		`>idle wait</text>`,
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("chart has no %s\n%s", want, svg)
		}
	}
}

func TestReport(t *testing.T) {
	var b bytes.Buffer
	rs := results(t)
	if err := WriteReport(&b, rs, 60, 2*time.Second); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	if n := strings.Count(html, "<svg "); n != len(rs) {
		t.Errorf("%d charts, want %d", n, len(rs))
	}
	for _, want := range []string{
		`<h2 id="leak">leak: <span class="LEAKS">LEAKS</span></h2>`,
		`for i in {1..60}; do curl -s &#39;localhost:9090/forward?client=new&amp;transport=custom&#39;; echo &#34;&#34;; done`,
		"# server 1 started with SERVER_IDLE_TIMEOUT=1s",
		"IdleConnTimeout 0 keeps every idle connection for ever",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("report has no %s", want)
		}
	}
	// It loads nothing: no script, stylesheet, image or font from anywhere.
	for _, remote := range []string{`src="http`, `href="http`, `url(http`, "<script", "<link", "@import"} {
		if strings.Contains(html, remote) {
			t.Errorf("report has %q: it must be self-contained", remote)
		}
	}
	if !strings.Contains(html, "go run ./main load -c 100 -n 100 &#39;http://localhost:9090/forward?client=shared&amp;stall=true&#39;") {
		t.Errorf("report has no load command for hung-upstream")
	}
}

func TestSummary(t *testing.T) {
	s := Summary{
		Requests: 400, ByStatus: map[int]int{200: 398, 502: 2}, Wall: 3510 * time.Millisecond,
		First: Reply{200, []byte(`{"goRoutines":7,"Server1Response":{"msg":"Hello World","goRoutines":5},"connReused":false}`)},
		Last:  Reply{200, []byte(`{"goRoutines":805,"Server1Response":null,"connReused":false}`)},
	}
	for i := range 100 {
		s.Latencies = append(s.Latencies, time.Duration(100-i)*time.Millisecond)
	}
	want := "400 requests: 398 200, 2 502; 3.51s, 114 req/s, p50 50ms, p99 99ms; goroutines: server 2 7 -> 805, server 1 5 -> -"
	if got := s.String(); got != want {
		t.Errorf("summary\n got %q\nwant %q", got, want)
	}
	s.Last = Reply{0, []byte("error: connection refused")}
	if got := s.String(); strings.Contains(got, "goroutines") {
		t.Errorf("summary %q: counts from a reply that has none", got)
	}
}

func TestMedian(t *testing.T) {
	runs := []BenchRun{
		{ReqPerSec: 100, P50: 3 * time.Millisecond, Errors: 0, G2: 9},
		{ReqPerSec: 300, P50: 1 * time.Millisecond, Errors: 2, G2: 5},
		{ReqPerSec: 200, P50: 2 * time.Millisecond, Errors: 1, G2: 7},
	}
	m := median(runs)
	if m.ReqPerSec != 200 || m.P50 != 2*time.Millisecond || m.Errors != 1 || m.G2 != 7 {
		t.Errorf("median of 3 runs = %+v, want each measure's middle value", m)
	}
	if m := median(runs[:2]); m.ReqPerSec != 200 || m.G2 != 7 {
		t.Errorf("median of 2 runs = %+v, want the mean of the two", m)
	}
}
