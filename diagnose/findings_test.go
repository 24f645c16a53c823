package diagnose

import "testing"

// TestFindings checks the registry: every finding, in the order a report
// lists them, with its threshold, its fix and its doc link.
func TestFindings(t *testing.T) {
	want := []struct {
		id                string
		threshold, pileUp int
	}{
		{IdleClientConnections, IdleClientThreshold, 0},
		{BodiesNotClosed, BodyUnreadThreshold, 0},
		{IdleServerConnections, IdleServerThreshold, 0},
		{CallsWithoutTimeout, InFlightThreshold, InFlightPileUp},
		{WaitingForConnection, WaitingForConnThreshold, 0},
		{DialsWithoutTimeout, DialThreshold, DialPileUp},
	}
	fs := Findings()
	if len(fs) != len(want) {
		t.Fatalf("%d findings, want %d", len(fs), len(want))
	}
	for i, w := range want {
		f := fs[i]
		if f.ID != w.id || f.Threshold != w.threshold || f.PileUp != w.pileUp || f.Fix == "" ||
			f.Doc != "https://github.com/connleak/connleak/blob/main/docs/findings.md#"+w.id {
			t.Errorf("finding %d: %+v, want %s at %d (pile-up %d), a fix and its doc link", i, f, w.id, w.threshold, w.pileUp)
		}
		if got, ok := Info(w.id); !ok || got.ID != w.id || Threshold(w.id) != w.threshold {
			t.Errorf("Info(%q): %+v, %v; Threshold %d", w.id, got, ok, Threshold(w.id))
		}
	}
	if _, ok := Info("no-such-finding"); ok || Threshold("no-such-finding") != 0 {
		t.Error("Info found a finding that does not exist")
	}
	fs[0].ID = "changed"
	if Findings()[0].ID == "changed" {
		t.Error("Findings returned the registry itself, not a copy")
	}
}
