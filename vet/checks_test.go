package vet

import (
	"context"
	"strings"
	"testing"
)

// TestChecks checks the registry: one check per analyzer, in the same
// order, each linked to its section of docs/checks.md, the analyzer too,
// whose Doc is its doc.go's, and Info finds each.
func TestChecks(t *testing.T) {
	cs := Checks()
	if len(cs) != len(Analyzers) {
		t.Fatalf("%d checks for %d analyzers", len(cs), len(Analyzers))
	}
	for i, c := range cs {
		if c.Analyzer != Analyzers[i] || c.URL != "https://github.com/connleak/connleak/blob/main/docs/checks.md#"+c.ID ||
			c.Doc == "" || c.Analyzer.URL != c.URL || !strings.HasPrefix(c.Analyzer.Doc, "report ") {
			t.Errorf("check %d: %+v, want analyzer %s, its doc link as its URL too, and its doc.go's summary", i, c, Analyzers[i].Name)
		}
		if got, ok := Info(c.ID); !ok || got.ID != c.ID {
			t.Errorf("Info(%q): %+v, %v", c.ID, got, ok)
		}
	}
	if _, ok := Info("no-such-check"); ok {
		t.Error("Info found a check that does not exist")
	}
	cs[0].ID = "changed"
	if Checks()[0].ID == "changed" {
		t.Error("Checks returned the registry itself, not a copy")
	}
}

// TestRunKnowsNoLab checks that a finding's message is the analyzer's and
// its check's id, with nothing of the lab in it, and its diagnostic links
// the check's docs.
func TestRunKnowsNoLab(t *testing.T) {
	dir := writeModule(t, map[string]string{"m.go": bare})
	res, err := Run(context.Background(), nil, Options{Dir: dir})
	if err != nil || len(res.Findings) != 1 {
		t.Fatalf("got %v and %+v, want one finding", err, res.Findings)
	}
	f := res.Findings[0]
	if f.Check != CheckTransportIdleTimeout || f.Pos != "m.go:5:10" || !strings.HasSuffix(f.Message, "keeps every idle connection for ever [transport-idle-timeout]") || strings.Contains(f.Message, "connleak demo") {
		t.Errorf("got %+v, want the finding at m.go:5:10, its message ending in its check, no lab", f)
	}
}
