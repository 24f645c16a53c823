package connleaktest

import (
	"testing"

	"github.com/connleak/connleak/diagnose"
)

// TestSayings checks that a check has words for every finding diagnose
// names, and for no other, so that Allow takes no id a check then ignores
// and a finding over its allowance never goes unsaid.
func TestSayings(t *testing.T) {
	for _, f := range diagnose.Findings() {
		if sayings[f.ID].say == nil {
			t.Errorf("finding %s has no saying", f.ID)
		}
	}
	if len(sayings) != len(diagnose.Findings()) {
		t.Errorf("%d sayings, want one for each of diagnose's %d findings", len(sayings), len(diagnose.Findings()))
	}
}
