package bench

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// pauseLes are the upper bounds of the pause histogram's buckets, as a lab
// server's /metrics writes them.
var pauseLes = []string{"6.399999999999999e-08", "6.399999999999999e-07", "7.167999999999999e-06", "8.191999999999999e-05",
	"0.0009175039999999999", "0.010485759999999998", "0.11744051199999998", "+Inf"}

// pauseMetrics is a /metrics reply with the pause histogram as a lab
// server writes it, its cumulative counts as given, after another
// histogram whose name it starts with.
func pauseMetrics(counts ...string) []byte {
	var b strings.Builder
	b.WriteString("# HELP go_sched_pauses_stopping_other_seconds Distribution.\n# TYPE go_sched_pauses_stopping_other_seconds histogram\n" +
		"go_sched_pauses_stopping_other_seconds_bucket{le=\"+Inf\"} 99\n" +
		"# HELP go_sched_pauses_total_other_seconds_x A longer name.\ngo_sched_pauses_total_other_seconds_x_bucket{le=\"1\"} 5\n" +
		"# HELP go_sched_pauses_total_other_seconds Distribution.\n# TYPE go_sched_pauses_total_other_seconds histogram\n")
	for i, n := range counts {
		b.WriteString("go_sched_pauses_total_other_seconds_bucket{le=\"" + pauseLes[i] + "\"} " + n + "\n")
	}
	b.WriteString("go_sched_pauses_total_other_seconds_sum 0.1\ngo_sched_pauses_total_other_seconds_count 7\ngo_goroutines 5\n")
	return []byte(b.String())
}

// TestParseHistogram reads the pause histogram out of a /metrics reply, and
// refuses one that is missing, cut short or out of order.
func TestParseHistogram(t *testing.T) {
	h, err := parseHistogram(pauseMetrics("0", "0", "2", "5", "5", "6", "7", "1e+06"), pauseHistogram)
	if err != nil {
		t.Fatal(err)
	}
	if want := []uint64{0, 0, 2, 5, 5, 6, 7, 1e6}; !slices.Equal(h.count, want) {
		t.Errorf("counts %v, want %v", h.count, want)
	}
	if len(h.le) != 8 || h.le[2] != 7.167999999999999e-06 || !math.IsInf(h.le[7], 1) {
		t.Errorf("bounds %v, want the 8 written, the last +Inf", h.le)
	}
	other := []byte("go_sched_pauses_total_other_seconds_bucket{quantile=\"0.5\", le=\"+Inf\"} 3\n")
	if h, err := parseHistogram(other, pauseHistogram); err != nil || len(h.count) != 1 || h.count[0] != 3 {
		t.Errorf("a bucket with another label first: %+v, %v; want its count, 3", h, err)
	}
	for _, tt := range []struct {
		name    string
		metrics []byte
		err     string
	}{
		{"none", []byte("go_goroutines 5\n"), "no histogram go_sched_pauses_total_other_seconds"},
		{"no +Inf", pauseMetrics("0", "1", "2"), "no +Inf bucket"},
		{"bounds not ascending", []byte("go_sched_pauses_total_other_seconds_bucket{le=\"1\"} 0\ngo_sched_pauses_total_other_seconds_bucket{le=\"0.5\"} 0\n"), "out of order"},
		{"counts going down", pauseMetrics("0", "3", "2", "2", "2", "2", "2", "2"), "out of order"},
		{"a fraction", pauseMetrics("0", "0.5", "1", "1", "1", "1", "1", "1"), "is not a count"},
		{"a bad bound", []byte("go_sched_pauses_total_other_seconds_bucket{le=\"x\"} 0\n"), `le="x"`},
		{"no le", []byte("go_sched_pauses_total_other_seconds_bucket{quantile=\"1\"} 0\n"), "no le label"},
	} {
		if _, err := parseHistogram(tt.metrics, pauseHistogram); err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s: %v, want an error saying %q", tt.name, err, tt.err)
		}
	}
}

// TestPauses counts what was added between two readings: each bucket's own
// count, the largest bucket, and the bounds of the total.
func TestPauses(t *testing.T) {
	read := func(counts ...string) histogram {
		t.Helper()
		h, err := parseHistogram(pauseMetrics(counts...), pauseHistogram)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	before := read("0", "0", "2", "5", "5", "6", "7", "7")
	after := read("0", "0", "4", "7", "7", "10", "11", "11")
	added, err := after.added(before)
	if err != nil {
		t.Fatal(err)
	}
	if want := []uint64{0, 0, 2, 0, 0, 2, 0, 0}; !slices.Equal(added, want) {
		t.Fatalf("added %v, want %v: 2 pauses of 0.64-7.2µs, 2 of 0.92-10.5ms", added, want)
	}
	var p Pauses
	p.add(after, added)
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*b }
	if p.Count != 4 || !near(p.Largest[0], 0.0009175039999999999) || !near(p.Largest[1], 0.010485759999999998) ||
		!near(p.Total[0], 2*6.4e-07+2*0.000917504) || !near(p.Total[1], 2*7.168e-06+2*0.01048576) {
		t.Errorf("pauses %+v, want 4, the largest 0.92-10.5ms, the total their bounds' sums", p)
	}
	p.add(after, []uint64{1, 0, 0, 0, 0, 0, 0, 1}) // one under 64ns, one over 117ms
	if p.Count != 6 || p.Largest[0] != after.le[6] || !math.IsInf(p.Largest[1], 1) || !math.IsInf(p.Total[1], 1) {
		t.Errorf("pauses %+v, want 6, the largest and the total unbounded above", p)
	}

	for _, tt := range []struct {
		name          string
		before, after histogram
		err           string
	}{
		{"a count down", after, before, "went down"},
		{"other buckets", before, histogram{le: before.le[1:], count: before.count[1:]}, "buckets changed"},
		{"not cumulative", read("0", "0", "0", "0", "0", "0", "0", "0"), histogram{le: before.le, count: []uint64{0, 3, 2, 2, 2, 2, 2, 2}}, "fewer added"},
	} {
		if _, err := tt.after.added(tt.before); err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s: %v, want an error saying %q", tt.name, err, tt.err)
		}
	}
}

// TestWriteProbeCost checks the table: a row per form, sizes, times and
// pauses in their units, "-" for no pause and no CPU time.
func TestWriteProbeCost(t *testing.T) {
	r := ProbeCostResult{Goroutines: 18005, Rounds: 10, Forms: []FormCost{
		{Debug: 0, Size: 2217, Wall: 47100 * time.Microsecond, CPU: 58 * time.Millisecond, Hello: 3210 * time.Microsecond,
			Pauses: Pauses{Count: 20, Largest: [2]float64{7.167999999999999e-06, 8.191999999999999e-05}, Total: [2]float64{84.6e-6, 966e-6}}},
		{Debug: 1, Size: 812, Wall: 46 * time.Millisecond, CPU: -1, Hello: 2 * time.Millisecond},
		{Debug: 2, Size: 13_412_345, Wall: 474300 * time.Microsecond, CPU: 496 * time.Millisecond, Hello: 101 * time.Millisecond,
			Pauses: Pauses{Count: 50, Largest: [2]float64{0.11744051199999998, math.Inf(1)}, Total: [2]float64{0.524, math.Inf(1)}}},
	}}
	var b bytes.Buffer
	if err := WriteProbeCost(&b, r); err != nil {
		t.Fatal(err)
	}
	want := "\nwhat one GET /debug/pprof/goroutine costs server 2 at 18005 goroutines, by form: its CPU time (/proc, Linux only), its stop-the-world pauses (its /metrics) and a concurrent /hello's worst latency, over 10 interleaved rounds:\n" +
		"FORM     BYTES    WALL     CPU      PAUSES  LARGEST PAUSE  PAUSE TOTAL    WORST /hello\n" +
		"debug=0  2.2 kB   47.1ms   58.0ms   2.0     7.17µs-81.9µs  8.46µs-96.6µs  3.2ms\n" +
		"debug=1  812 B    46.0ms   -        0.0     -              -              2.0ms\n" +
		"debug=2  13.4 MB  474.3ms  496.0ms  5.0     >117ms         >52.4ms        101.0ms\n"
	if got := b.String(); !strings.HasPrefix(got, want) {
		t.Errorf("got\n%s\nwant it to start with\n%s", got, want)
	}
	if !strings.Contains(b.String(), "\nPer fetch: BYTES, WALL medians; CPU, PAUSES, PAUSE TOTAL means.") {
		t.Errorf("no legend in\n%s", &b)
	}
}

// TestSeconds writes durations to three significant digits in the unit
// that keeps them under 1000, and ranges with their open ends.
func TestSeconds(t *testing.T) {
	for _, tt := range []struct {
		s    float64
		want string
	}{
		{6.399999999999999e-08, "64ns"}, {6.4e-7, "640ns"}, {7.167999999999999e-06, "7.17µs"}, {0.0009175039999999999, "918µs"},
		{0.0009996, "1ms"}, {0.010485759999999998, "10.5ms"}, {0.11744051199999998, "117ms"}, {2.5, "2.5s"},
	} {
		if got := seconds(tt.s); got != tt.want {
			t.Errorf("seconds(%g) = %q, want %q", tt.s, got, tt.want)
		}
	}
	for _, tt := range []struct {
		b     [2]float64
		count int
		want  string
	}{
		{[2]float64{0, 6.4e-8}, 1, "<64ns"}, {[2]float64{0.117, math.Inf(1)}, 1, ">117ms"}, {[2]float64{1e-3, 1e-2}, 3, "1ms-10ms"}, {[2]float64{}, 0, "-"},
	} {
		if got := bounds(tt.b, tt.count); got != tt.want {
			t.Errorf("bounds(%v, %d) = %q, want %q", tt.b, tt.count, got, tt.want)
		}
	}
}
