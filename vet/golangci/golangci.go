package golangci

import (
	"fmt"
	"slices"
	"strings"

	"github.com/golangci/plugin-module-register/register"
	"golang.org/x/tools/go/analysis"

	"github.com/connleak/connleak/vet"
)

// Name is the plugin's name: the key of its settings under
// linters.settings.custom in .golangci.yml, and the linter to enable.
const Name = "connleak"

func init() {
	register.Plugin(Name, New)
}

// Settings are the plugin's settings, linters.settings.custom.connleak.settings
// in .golangci.yml.
type Settings struct {
	// Checks are the ids of the checks to run, as docs/checks.md names
	// them; every check when empty or absent.
	Checks []string `json:"checks"`
}

// plugin is connleak's golangci-lint plugin: the analyzers of the checks
// its settings chose.
type plugin struct {
	analyzers []*analysis.Analyzer
}

// New decodes the plugin's settings, as golangci-lint hands them over, and
// returns the plugin. Its error says what in the settings is wrong: a key
// that is not a setting, a value of the wrong type, a check that does not
// exist (with the ids that do).
func New(settings any) (register.LinterPlugin, error) {
	s, err := register.DecodeSettings[Settings](settings)
	if err != nil {
		return nil, fmt.Errorf("connleak: %w; its one setting is checks, a list of check ids", err)
	}
	analyzers, err := choose(vet.Checks(), s.Checks)
	if err != nil {
		return nil, fmt.Errorf("connleak: %w", err)
	}
	return plugin{analyzers}, nil
}

// choose returns the analyzers of the checks whose ids are chosen, in the
// registry's order, or every check's if none is.
func choose(checks []vet.CheckInfo, chosen []string) ([]*analysis.Analyzer, error) {
	for _, id := range chosen {
		if !slices.ContainsFunc(checks, func(c vet.CheckInfo) bool { return c.ID == id }) {
			ids := make([]string, len(checks))
			for i, c := range checks {
				ids[i] = c.ID
			}
			return nil, fmt.Errorf("checks: unknown check %q; the checks are %s", id, strings.Join(ids, ", "))
		}
	}
	var analyzers []*analysis.Analyzer
	for _, c := range checks {
		if (len(chosen) == 0 || slices.Contains(chosen, c.ID)) && !slices.Contains(analyzers, c.Analyzer) {
			analyzers = append(analyzers, c.Analyzer)
		}
	}
	return analyzers, nil
}

// BuildAnalyzers returns the analyzers of the chosen checks.
func (p plugin) BuildAnalyzers() ([]*analysis.Analyzer, error) {
	return slices.Clone(p.analyzers), nil
}

// GetLoadMode says that the analyzers need the packages type-checked.
func (plugin) GetLoadMode() string {
	return register.LoadModeTypesInfo
}
