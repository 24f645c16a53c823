package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/connleak/connleak/internal/lab/demo"
	"github.com/connleak/connleak/internal/lab/scenario"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// results are the results of a real run of every scenario, verdicts
// included, as the demo's -json wrote them; package demo's tests read the
// same file to check its verdicts.
func results(t *testing.T) []demo.Result {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "demo", "testdata", "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rs []demo.Result
	if err := json.Unmarshal(b, &rs); err != nil {
		t.Fatal(err)
	}
	return rs
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
		t.Errorf("%s changed:\n got %s\nwant %s\n(go test ./report -update rewrites it)", name, got, want)
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

	r := demo.Result{Scenario: scenario.Scenario{Name: "tiny"}, N: 2, LoadEnd: 1, Points: []demo.Point{
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
	if svg := Chart(&demo.Result{}); svg != "" {
		t.Errorf("chart of no samples: %q, want none", svg)
	}
}

func TestHTML(t *testing.T) {
	var b bytes.Buffer
	rs := results(t)
	if err := WriteHTML(&b, rs, 60, 2*time.Second); err != nil {
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
	// Its only links are to where each scenario comes from, for a reader.
	for _, remote := range []string{`src="http`, `url(http`, "<script", "<link", "@import"} {
		if strings.Contains(html, remote) {
			t.Errorf("report has %q: it must be self-contained", remote)
		}
	}
	if want := `(source: <a href="https://github.com/KevFan/resty-go-routine-http-connection-leak">Resty blog, Resty demo</a>)`; !strings.Contains(html, want) {
		t.Errorf("report has no %s", want)
	}
	if n, links := strings.Count(html, `href="http`), strings.Count(html, `(source: <a href="https://`); n != links {
		t.Errorf("report has %d links out, %d of them to a scenario's source: want no other", n, links)
	}
	if !strings.Contains(html, "connleak load -c 100 -n 100 &#39;http://localhost:9090/forward?client=shared&amp;stall=true&#39;") {
		t.Errorf("report has no load command for hung-upstream")
	}
}
