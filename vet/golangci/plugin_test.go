package golangci

import (
	"slices"
	"strings"
	"testing"

	"github.com/golangci/plugin-module-register/register"
	"golang.org/x/tools/go/analysis"

	"github.com/connleak/connleak/vet"
)

// TestNew decodes settings as golangci-lint hands them over, from YAML
// through its configuration: no settings run every check, checks a subset,
// and anything else fails with what is wrong.
func TestNew(t *testing.T) {
	var ids []string
	var twice []any // every id, last first, then every id again
	for _, c := range vet.Checks() {
		ids = append(ids, c.ID)
		twice = append([]any{c.ID}, twice...)
	}
	for _, id := range ids {
		twice = append(twice, id)
	}
	last := vet.Checks()[len(ids)-1]
	for _, tc := range []struct {
		name     string
		settings any
		want     []*analysis.Analyzer
		err      string
	}{
		{"none", nil, vet.Analyzers, ""},
		{"empty", map[string]any{}, vet.Analyzers, ""},
		{"no checks", map[string]any{"checks": []any{}}, vet.Analyzers, ""},
		{"one", map[string]any{"checks": []any{last.ID}}, []*analysis.Analyzer{last.Analyzer}, ""},
		{"all, twice, in another order", map[string]any{"checks": twice}, vet.Analyzers, ""},
		{"unknown check", map[string]any{"checks": []any{"no-such-check"}}, nil, `connleak: checks: unknown check "no-such-check"; the checks are ` + strings.Join(ids, ", ")},
		{"unknown setting", map[string]any{"check": []any{last.ID}}, nil, `connleak: decoding settings: json: unknown field "check"; its one setting is checks, a list of check ids`},
		{"not a list", map[string]any{"checks": last.ID}, nil, "connleak: decoding settings: json: cannot unmarshal string"},
		{"not a map", []any{last.ID}, nil, "connleak: decoding settings: json: cannot unmarshal array"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := New(tc.settings)
			if tc.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.err) {
					t.Fatalf("got %v, want an error starting %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.BuildAnalyzers()
			if err != nil || !slices.Equal(got, tc.want) {
				t.Errorf("got analyzers %v, %v; want %v", names(got), err, names(tc.want))
			}
			if p.GetLoadMode() != register.LoadModeTypesInfo {
				t.Errorf("load mode %q, want %q", p.GetLoadMode(), register.LoadModeTypesInfo)
			}
		})
	}
}

// TestRegistered checks that the package registers the plugin under the
// name .golangci.yml gives it, and that the checks setting can choose:
// one analyzer per check.
func TestRegistered(t *testing.T) {
	newPlugin, err := register.GetPlugin("connleak")
	if err != nil {
		t.Fatal(err)
	}
	p, err := newPlugin(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := p.BuildAnalyzers(); !slices.Equal(got, vet.Analyzers) {
		t.Errorf("got %v, want vet.Analyzers %v", names(got), names(vet.Analyzers))
	}
	seen := map[*analysis.Analyzer]string{}
	for _, c := range vet.Checks() {
		if other, ok := seen[c.Analyzer]; ok {
			t.Errorf("checks %s and %s share analyzer %s: the checks setting would choose both when it names one", other, c.ID, c.Analyzer.Name)
		}
		seen[c.Analyzer] = c.ID
	}
}

func names(as []*analysis.Analyzer) []string {
	var s []string
	for _, a := range as {
		s = append(s, a.Name)
	}
	return s
}
