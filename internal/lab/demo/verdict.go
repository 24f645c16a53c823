package demo

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/connleak/connleak/diagnose"
	"github.com/connleak/connleak/internal/lab/scenario"
)

// Result is what one scenario did.
type Result struct {
	scenario.Scenario
	N              int
	Points         []Point       // Points[0] is the baseline, before the first request
	LoadEnd        int           // the index in Points of the sample after the last request
	ByStatus       map[int]int   // /forward's answers by status
	P99            time.Duration // the 99th percentile of the requests' latency
	Opened, Reused int64         // server 2's connections to server 1 (httptrace)
	Verdict        scenario.Verdict
	RecoveredAfter time.Duration // for scenario.Recovers: from the last request to baseline
	// Diagnosis2 and Diagnosis1 are the findings connleak diagnose named
	// on server 2's and server 1's debug=2 goroutine dumps after the idle
	// wait, comma-separated, or "none".
	Diagnosis2, Diagnosis1 string
	// Late says that a scenario diagnosed during its one wave of calls had
	// a reply back before server 2's dump was read: the calls were ending,
	// and the dump may have missed some. A machine too slow for the
	// window does that, not connleak.
	Late bool
}

// slack is how many goroutines over baseline still count as baseline: the
// goroutines of connections closing while the sample is taken.
const slack = 3

func (r *Result) base() Point    { return r.Points[0] }
func (r *Result) loadEnd() Point { return r.Points[r.LoadEnd] }
func (r *Result) end() Point     { return r.Points[len(r.Points)-1] }

// atBaseline reports whether p is back at baseline: within slack, and the
// goroutines of the connections the scenario keeps pooled.
func (r *Result) atBaseline(p Point) bool {
	return p.G2 <= r.base().G2+slack+r.Pooled*r.PerConn.Server2 && p.G1 <= r.base().G1+slack+r.Pooled*r.PerConn.Server1
}

// judge gives the verdict. FLAT: server 2 never grew by half a goroutine
// per request. RECOVERS: it did, and both servers came back to baseline in
// the idle wait. LEAKS: it did, and they did not.
//
// A concurrent scenario always grows while its requests are in flight: it
// RECOVERS if both servers come back, and LEAKS if not.
func (r *Result) judge() {
	if r.Concurrency > 1 {
		r.Verdict = scenario.Leaks
		for _, p := range r.Points[r.LoadEnd+1:] {
			if r.atBaseline(p) {
				r.Verdict, r.RecoveredAfter = scenario.Recovers, p.At-r.loadEnd().At
				break
			}
		}
		return
	}
	peak := 0
	for _, p := range r.Points[:r.LoadEnd+1] {
		peak = max(peak, p.G2-r.base().G2)
	}
	if 2*peak < r.N {
		r.Verdict = scenario.Flat
		return
	}
	for _, p := range r.Points[r.LoadEnd+1:] {
		if r.atBaseline(p) {
			r.Verdict, r.RecoveredAfter = scenario.Recovers, p.At-r.loadEnd().At
			return
		}
	}
	r.Verdict = scenario.Leaks
}

// PerRequest is how many goroutines each request added by the last
// request, on server 2 and on server 1.
func (r *Result) PerRequest() (server2, server1 float64) {
	n := float64(max(r.N, 1))
	return float64(r.loadEnd().G2-r.base().G2) / n, float64(r.loadEnd().G1-r.base().G1) / n
}

// Left is how many goroutines over baseline each server has at the end of
// the idle wait.
func (r *Result) Left() (server2, server1 int) {
	return r.end().G2 - r.base().G2, r.end().G1 - r.base().G1
}

// MemPerConn is the heap and stack each held connection costs, on server 2
// and on server 1, from the memory the servers gained by the last request;
// 0 where too few connections were held to say.
func (r *Result) MemPerConn() (server2, server1 uint64) {
	b, e := r.base(), r.loadEnd()
	enough := max(r.N/4, 1)
	if held := e.Held2 - b.Held2; held >= enough && e.Mem2 > b.Mem2 {
		server2 = (e.Mem2 - b.Mem2) / uint64(held)
	}
	if open := e.Open1 - b.Open1; open >= enough && e.Mem1 > b.Mem1 {
		server1 = (e.Mem1 - b.Mem1) / uint64(open)
	}
	return server2, server1
}

// VerdictText is the verdict, with how long recovering took.
func (r *Result) VerdictText() string {
	if r.Verdict == scenario.Recovers {
		return fmt.Sprintf("%s in %.1fs", r.Verdict, r.RecoveredAfter.Seconds())
	}
	return string(r.Verdict)
}

// Check returns an error naming every result whose verdict, or whose
// diagnosis of either server, is not the one the catalogue expects. A
// finding is expected only where the run held enough for it: a leak of 20
// requests leaves 20 connections, below diagnose's thresholds.
func Check(results []Result) error {
	var wrong []string
	for _, r := range results {
		if r.Verdict != r.Want {
			wrong = append(wrong, fmt.Sprintf("%s is %s, want %s", r.Name, r.Verdict, r.Want))
		}
		for _, d := range []struct{ server, got, want string }{{"2", r.Diagnosis2, r.Finding2}, {"1", r.Diagnosis1, r.Finding1}} {
			if r.N < diagnose.Threshold(d.want) {
				d.want = ""
			}
			if want := cmp.Or(d.want, "none"); d.got != want {
				late := ""
				if r.Late {
					late = " (the dump was read after the first call ended: the machine was too slow for the window)"
				}
				wrong = append(wrong, fmt.Sprintf("%s: diagnose named %s on server %s, want %s%s", r.Name, cmp.Or(d.got, "nothing"), d.server, want, late))
			}
		}
	}
	if len(wrong) > 0 {
		return fmt.Errorf("results contradict the catalogue: %s", strings.Join(wrong, "; "))
	}
	return nil
}
