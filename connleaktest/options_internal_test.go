package connleaktest

import (
	"testing"

	"github.com/connleak/connleak/diagnose"
)

// TestJudgedAll judges every finding diagnose names, so that Allow takes
// no id a check then ignores.
func TestJudgedAll(t *testing.T) {
	for _, f := range diagnose.Findings() {
		found := false
		for _, j := range judged {
			found = found || j.id == f.ID
		}
		if !found {
			t.Errorf("finding %s is not judged", f.ID)
		}
	}
	if len(judged) != len(diagnose.Findings()) {
		t.Errorf("%d findings judged, want diagnose's %d", len(judged), len(diagnose.Findings()))
	}
}
