package bench

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/connleak/connleak/connleaktest"
	"github.com/connleak/connleak/diagnose"
	"github.com/connleak/connleak/internal/lab/scenario"
	"github.com/connleak/connleak/vet"

	"go.uber.org/goleak"
	"golang.org/x/tools/go/analysis/multichecker"
)

// fakeTool, set in the environment, makes the test binary a stand-in for
// the commands the bench times: it reads the file named last and exits
// with the status the variable says.
const fakeTool = "CONNLEAK_BENCH_FAKE_TOOL"

// fakeToolWait, set with fakeTool, makes the stand-in wait that long first.
const fakeToolWait = "CONNLEAK_BENCH_FAKE_TOOL_WAIT"

// TestMain runs a stand-in where asked (fakeTool, or standInChecker: see
// vet_test.go); otherwise the tests, failing the package if they leave a
// goroutine or an HTTP connection behind: goleak judges every goroutine but
// those of HTTP connections, and connleaktest those, allowing none, not even
// an idle one in a shared pool.
func TestMain(m *testing.M) {
	if os.Getenv(standInChecker) != "" {
		multichecker.Main(vet.Analyzers...) // exits
	}
	if status := os.Getenv(fakeTool); status != "" {
		wait, _ := time.ParseDuration(os.Getenv(fakeToolWait))
		time.Sleep(wait) // a command that takes time, where a test asks
		f, err := os.Open(os.Args[len(os.Args)-1])
		if err != nil {
			os.Exit(2)
		}
		io.Copy(io.Discard, f)
		if status != "0" {
			os.Exit(1)
		}
		os.Exit(0)
	}
	goleak.VerifyTestMain(connleaktest.Wrap(m, connleaktest.Allow(diagnose.IdleClientConnections, 0)), connleaktest.GoleakOptions()...)
}

// TestCases checks that the bench measures the two references, then every
// scenario of the catalogue as the catalogue has it.
func TestCases(t *testing.T) {
	cases := Cases(4)
	all := scenario.All()
	if len(cases) != 2+len(all) {
		t.Fatalf("%d cases, want the 2 references and the %d scenarios", len(cases), len(all))
	}
	want := []Case{
		{Name: Reference, Path: "/forward?client=nethttp&maxIdleConnsPerHost=4&idleConnTimeout=90s"},
		{Name: "hello", Path: "/hello"},
	}
	for _, s := range all {
		want = append(want, Case{Name: s.Name, Path: "/forward?" + s.Query, Env1: s.Env1, Env2: s.Env2})
	}
	for i := range want {
		if got := cases[i]; got.Name != want[i].Name || got.Path != want[i].Path || !slices.Equal(got.Env1, want[i].Env1) || !slices.Equal(got.Env2, want[i].Env2) {
			t.Errorf("case %d: %+v, want %+v", i, got, want[i])
		}
	}
}

func TestMedian(t *testing.T) {
	runs := []Sample{
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

// TestWriteTable checks the table's rows and their ratio to the reference,
// and that without the reference there is no ratio.
func TestWriteTable(t *testing.T) {
	cfg := Config{C: 4, Duration: 300 * time.Millisecond, Rounds: 1}
	results := []Result{
		{Case: Case{Name: Reference}, Median: Sample{ReqPerSec: 1000, P50: time.Millisecond, P99: 2 * time.Millisecond, G2: 9, G1: 7, RSS2: 20 << 20, Opened: 4}},
		{Case: Case{Name: "leak"}, Median: Sample{ReqPerSec: 250, P50: 3 * time.Millisecond, P99: 9 * time.Millisecond, G2: 2001, G1: 1001, Opened: 1000}},
	}
	for _, tt := range []struct {
		name    string
		results []Result
		rows    []string
	}{
		{"with the reference", results, []string{
			`(?m)^net/http +1000 +1ms +2ms +0 +9 +7 +20\.0 MiB +- +4 +1\.00$`,
			`(?m)^leak +250 +3ms +9ms +0 +2001 +1001 +- +- +1000 +0\.25$`,
		}},
		{"without it", results[1:], []string{`(?m)^leak +250 .* +1000 +-$`}},
	} {
		var b bytes.Buffer
		if err := WriteTable(&b, tt.results, cfg); err != nil {
			t.Fatal(err)
		}
		for _, row := range tt.rows {
			if !regexp.MustCompile(row).Match(b.Bytes()) {
				t.Errorf("%s: no row %s in\n%s", tt.name, row, &b)
			}
		}
		if !strings.Contains(b.String(), "Medians of 1 interleaved runs of 300ms each, 4 requests at once") {
			t.Errorf("%s: no legend in\n%s", tt.name, &b)
		}
	}
}

// TestDiagnose times stand-ins for connleak diagnose and panicparse: both
// are measured, and the peer is named by its build information.
func TestDiagnose(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dump := filepath.Join(t.TempDir(), "goroutines.txt")
	content := "goroutine 1 [running]:\nmain.main()\n"
	if err := os.WriteFile(dump, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	t.Setenv("GORACE", "atexit_sleep_ms=0") // a stand-in built with -race would wait a second as it exits
	t.Setenv(fakeTool, "0")
	r, err := Diagnose(ctx, self, dump, self, 3)
	if err != nil {
		t.Fatal(err)
	}
	if r.Size != int64(len(content)) || r.Rounds != 3 || r.Diagnose <= 0 || r.PeerTime <= 0 || r.DiagnoseRSS <= 0 || r.PeerRSS <= 0 {
		t.Errorf("Diagnose: %+v, want the dump's size and both commands' time and memory", r)
	}
	if r.Peer != "connleak/internal/lab/bench.test" {
		t.Errorf("peer named %q, want connleak/internal/lab/bench.test, from its build information", r.Peer)
	}
	if r, err := Diagnose(ctx, self, dump, "", 1); err != nil || r.Diagnose <= 0 || r.Peer != "" || r.PeerTime != 0 {
		t.Errorf("Diagnose without a peer: %+v, %v; want connleak diagnose alone", r, err)
	}

	t.Setenv(fakeTool, "1")
	if _, err := Diagnose(ctx, self, dump, self, 1); err == nil || !strings.Contains(err.Error(), "exit status 1") {
		t.Errorf("Diagnose of a command that fails: %v, want its exit status", err)
	}
}

// ballast is memory TestTimedPeak holds while its child runs.
var ballast []byte

// TestTimedPeak checks that timed reads a child's own peak memory: not
// the larger one of the process that started it, which the child's rusage
// counts, as it was a copy of it until exec.
func TestTimedPeak(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dump := filepath.Join(t.TempDir(), "goroutines.txt")
	if err := os.WriteFile(dump, []byte("goroutine 1 [running]:\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ballast = make([]byte, 256<<20)
	for i := range ballast {
		ballast[i] = 1 // resident
	}
	defer func() { ballast = nil }()
	t.Setenv("GORACE", "atexit_sleep_ms=0")
	t.Setenv(fakeTool, "0")
	t.Setenv(fakeToolWait, "100ms")
	_, code, rss, err := timed(context.Background(), self, dump)
	if err != nil || code != 0 || rss <= 0 || rss > 128<<20 {
		t.Errorf("timed: %d bytes at the peak, exit %d, %v; want the stand-in's own, a few MiB, not this process's 256 MiB", rss, code, err)
	}
}

// TestWriteHostile checks the tables' lines.
func TestWriteHostile(t *testing.T) {
	r := HostileResult{
		Diagnose: []HostileDiagnose{{Input: "labels", Size: 64_088, Inflated: 6_240_565, Exit: 0, Took: 68 * time.Millisecond, PeakRSS: 24 << 20}},
		Exporter: []HostileExporter{{Input: "labels", Probes: 192, Slowest: 3355 * time.Millisecond, Timeout: 9500 * time.Millisecond,
			SlowestScrape: 148 * time.Millisecond, Scrapes: 187, PeakRSS: 67 << 20}},
	}
	var b bytes.Buffer
	if err := WriteHostile(&b, r, HostileConfig{Targets: 64, Rounds: 3, Timeout: 10 * time.Second}, 2); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"labels   64.1 kB  6.2 MB    0     68ms  24.0 MiB\n",
		"connleak exporter on 2 cores, 64 loopback targets serving each, all probed at once, 3 rounds, scrape timeout 10s",
		"labels   192     3355ms         9500ms         148ms             187      67.0 MiB\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("got\n%s\nwant a line with %q", &b, want)
		}
	}
}

// TestWriteDiagnose checks the lines, with a peer and without.
func TestWriteDiagnose(t *testing.T) {
	r := DiagnoseResult{Size: 13_400_000, Rounds: 3, Diagnose: 71 * time.Millisecond, DiagnoseRSS: 25 << 20,
		Peer: "panicparse/v2/cmd/pp@v2.5.0", PeerTime: 12810 * time.Millisecond, PeerRSS: 195 << 20}
	for _, tt := range []struct {
		name string
		r    DiagnoseResult
		want string
	}{
		{"with panicparse", r, "\nthat debug=2 dump (13.4 MB), medians of 3 interleaved runs:\n" +
			"  connleak diagnose                         71ms, 25.0 MiB peak RSS\n" +
			"  panicparse (panicparse/v2/cmd/pp@v2.5.0)  12810ms, 195.0 MiB peak RSS\n" +
			"  panicparse vs connleak diagnose           180x the time, 7.8x the memory\n"},
		{"without", DiagnoseResult{Size: r.Size, Rounds: 3, Diagnose: r.Diagnose, DiagnoseRSS: r.DiagnoseRSS}, "\nthat debug=2 dump (13.4 MB), medians of 3 interleaved runs:\n" +
			"  connleak diagnose                         71ms, 25.0 MiB peak RSS\n" +
			"  panicparse: not measured (make bench installs it; connleak bench -panicparse FILE runs it)\n"},
	} {
		var b bytes.Buffer
		if err := WriteDiagnose(&b, tt.r); err != nil {
			t.Fatal(err)
		}
		if b.String() != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, &b, tt.want)
		}
	}
}
