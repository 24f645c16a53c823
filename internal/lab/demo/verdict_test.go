package demo

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/connleak/connleak/internal/lab/scenario"
)

// results are samples measured by a real run of every scenario, with their
// verdicts taken out and given again by the rules of this package:
// go run ./cmd/connleak demo -n 60 -json internal/lab/demo/testdata/results.json
// (the report's tests read the same file).
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
		recorded := rs[i]
		rs[i].Verdict, rs[i].RecoveredAfter = "", 0
		rs[i].judge()
		// The report's tests take the recorded verdicts as they are.
		if rs[i].Verdict != recorded.Verdict || rs[i].RecoveredAfter != recorded.RecoveredAfter {
			t.Errorf("%s: the rules give %s, testdata/results.json records %s: record it again", rs[i].Name, rs[i].VerdictText(), recorded.VerdictText())
		}
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

	rs = results(t)
	rs[0].Diagnosis2, rs[0].Late = "none", true
	err = Check(rs)
	if err == nil || !strings.Contains(err.Error(), "leak: diagnose named none on server 2, want idle-client-connections (the dump was read after the first call ended") {
		t.Errorf("Check: %v, want the late dump said", err)
	}
}
