package scenario

import (
	"testing"

	"github.com/connleak/connleak/diagnose"
	"github.com/connleak/connleak/vet"
)

// TestForFinding checks that every finding of diagnose's registry is
// reproduced by a scenario, the one the connleak command names after it,
// and that the rows name only findings the registry has.
func TestForFinding(t *testing.T) {
	want := map[string]string{
		diagnose.IdleClientConnections: "leak",
		diagnose.BodiesNotClosed:       "body-leave-open",
		diagnose.IdleServerConnections: "leak",
		diagnose.CallsWithoutTimeout:   "hung-upstream",
		diagnose.WaitingForConnection:  "conn-queue",
		diagnose.DialsWithoutTimeout:   "handshake-stall",
	}
	for _, f := range diagnose.Findings() {
		if s, ok := ForFinding(f.ID); !ok || s.Name != want[f.ID] {
			t.Errorf("ForFinding(%q) = %q, %v; want %q", f.ID, s.Name, ok, want[f.ID])
		}
	}
	if _, ok := ForFinding("no-such-finding"); ok {
		t.Error("ForFinding found a scenario for a finding that does not exist")
	}
	for _, s := range All() {
		for _, id := range []string{s.Finding2, s.Finding1} {
			if _, ok := diagnose.Info(id); id != "" && !ok {
				t.Errorf("%s names %q, which diagnose does not know", s.Name, id)
			}
		}
		for _, c := range s.Checks {
			if _, ok := vet.Info(c); !ok {
				t.Errorf("%s names the check %q, which vet does not know", s.Name, c)
			}
		}
	}
}

// TestEveryCheckShows checks that every check of vet's registry shows in
// the lab.
func TestEveryCheckShows(t *testing.T) {
	for _, c := range vet.Checks() {
		if _, ok := ForCheck(c.ID); !ok {
			t.Errorf("no scenario shows what %s flags", c.ID)
		}
	}
}
