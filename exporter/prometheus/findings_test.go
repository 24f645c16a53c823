package prometheus_test

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/connleak/connleak/diagnose"
	"go.yaml.in/yaml/v3"
)

// rule is a rule of alerts.yml: a recording rule or an alert.
type rule struct {
	Record      string            `yaml:"record"`
	Alert       string            `yaml:"alert"`
	Expr        string            `yaml:"expr"`
	For         string            `yaml:"for"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

// readAlerts returns the alerts of alerts.yml by name.
func readAlerts(t *testing.T) map[string]rule {
	t.Helper()
	var file struct {
		Groups []struct {
			Rules []rule `yaml:"rules"`
		} `yaml:"groups"`
	}
	readYAML(t, "alerts.yml", &file)
	alerts := map[string]rule{}
	for _, g := range file.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" {
				continue
			}
			if _, dup := alerts[r.Alert]; dup {
				t.Errorf("alerts.yml: alert %s twice", r.Alert)
			}
			alerts[r.Alert] = r
		}
	}
	return alerts
}

// readYAML decodes the YAML file name into v.
func readYAML(t *testing.T, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// alertName is the alert of finding id: Connleak and the id's words,
// capitalised (idle-client-connections: ConnleakIdleClientConnections).
func alertName(id string) string {
	var b strings.Builder
	b.WriteString("Connleak")
	for w := range strings.SplitSeq(id, "-") {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}

// findingID matches the id an expression selects of connleak_finding.
var findingID = regexp.MustCompile(`connleak_finding\{id="([^"]*)"\}`)

// TestAlertPerFinding checks that alerts.yml has one alert for each finding
// of diagnose, on its connleak_finding series, linking its section of
// docs/findings.md; and none for a finding diagnose does not know.
func TestAlertPerFinding(t *testing.T) {
	alerts := readAlerts(t)
	for _, f := range diagnose.Findings() {
		t.Run(f.ID, func(t *testing.T) {
			name := alertName(f.ID)
			a, ok := alerts[name]
			if !ok {
				t.Fatalf("alerts.yml has no alert %s for finding %s", name, f.ID)
			}
			if want := fmt.Sprintf(`connleak_finding{id=%q} > 0`, f.ID); a.Expr != want {
				t.Errorf("%s: expr %q, want %q", name, a.Expr, want)
			}
			if a.For != "5m" {
				t.Errorf("%s: for %q, want 5m", name, a.For)
			}
			if got := a.Annotations["runbook_url"]; got != f.Doc {
				t.Errorf("%s: runbook_url %q, want the finding's Doc %q", name, got, f.Doc)
			}
		})
	}
	for _, name := range slices.Sorted(maps.Keys(alerts)) {
		for _, m := range findingID.FindAllStringSubmatch(alerts[name].Expr, -1) {
			if _, ok := diagnose.Info(m[1]); !ok {
				t.Errorf("%s: alerts on finding %q, which diagnose does not know", name, m[1])
			} else if want := alertName(m[1]); name != want {
				t.Errorf("%s: alerts on finding %q, whose alert is %s", name, m[1], want)
			}
		}
	}
}

// TestAlertsAnnotated checks what every alert of alerts.yml tells whoever
// it reaches: a severity, the instance and the value, the connleak command
// to run on the instance, and a link to a section of the docs that exists.
func TestAlertsAnnotated(t *testing.T) {
	alerts := readAlerts(t)
	for _, name := range []string{"ConnleakHTTPConnectionsGrowing", "ConnleakProbeFailing"} {
		if _, ok := alerts[name]; !ok {
			t.Errorf("alerts.yml has no alert %s", name)
		}
	}
	const docs = "https://github.com/connleak/connleak/blob/main/docs/"
	for _, name := range slices.Sorted(maps.Keys(alerts)) {
		a := alerts[name]
		t.Run(name, func(t *testing.T) {
			if s := a.Labels["severity"]; s != "warning" && s != "critical" {
				t.Errorf("severity %q, want warning or critical", s)
			}
			summary := a.Annotations["summary"]
			if !strings.Contains(summary, "{{ $labels.instance }}") || !strings.Contains(summary, "$value") {
				t.Errorf("summary %q, want one with {{ $labels.instance }} and $value", summary)
			}
			if cmd := "`connleak diagnose {{ $labels.instance }}`"; !strings.Contains(a.Annotations["description"], cmd) {
				t.Errorf("description %q does not say %s", a.Annotations["description"], cmd)
			}
			url := a.Annotations["runbook_url"]
			doc, ok := strings.CutPrefix(url, docs)
			if !ok {
				t.Fatalf("runbook_url %q, want one under %s", url, docs)
			}
			doc, anchor, _ := strings.Cut(doc, "#")
			text, err := os.ReadFile(filepath.Join("..", "..", "docs", doc))
			if err != nil {
				t.Fatalf("runbook_url %q: %v", url, err)
			}
			if anchor != "" && !slices.Contains(sections(string(text)), anchor) {
				t.Errorf("runbook_url %q: docs/%s has no section whose anchor is %s: %q", url, doc, anchor, sections(string(text)))
			}
		})
	}
}

// sections is the anchors of a Markdown page's "## " sections, as GitHub
// makes them: lower case, spaces as dashes, other punctuation than dashes
// and underscores left out.
func sections(page string) []string {
	var anchors []string
	for line := range strings.Lines(page) {
		title, ok := strings.CutPrefix(strings.TrimSpace(line), "## ")
		if !ok {
			continue
		}
		anchors = append(anchors, strings.Map(func(r rune) rune {
			switch {
			case r == ' ':
				return '-'
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				return unicode.ToLower(r)
			}
			return -1
		}, title))
	}
	return anchors
}

// TestAlertsTested checks that alerts_test.yml has, for every alert, a case
// where it fires and one where it does not.
func TestAlertsTested(t *testing.T) {
	var file struct {
		Tests []struct {
			AlertRuleTest []struct {
				Alertname string `yaml:"alertname"`
				ExpAlerts []any  `yaml:"exp_alerts"`
			} `yaml:"alert_rule_test"`
		} `yaml:"tests"`
	}
	readYAML(t, "alerts_test.yml", &file)
	fires, silent := map[string]bool{}, map[string]bool{}
	for _, g := range file.Tests {
		for _, c := range g.AlertRuleTest {
			if len(c.ExpAlerts) > 0 {
				fires[c.Alertname] = true
			} else {
				silent[c.Alertname] = true
			}
		}
	}
	for name := range readAlerts(t) {
		if !fires[name] {
			t.Errorf("alerts_test.yml has no case where %s fires", name)
		}
		if !silent[name] {
			t.Errorf("alerts_test.yml has no case where %s does not fire", name)
		}
	}
}
