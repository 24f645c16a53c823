package collector_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/connleak/connleak/collector"
	"github.com/connleak/connleak/internal/testutil"
)

// TestAlertRules runs the repository's alert rules, unchanged, with
// promtool on what the collector gives in a process that leaks: every
// series of one scrape, held for 10 minutes, as a Prometheus scraping the
// service with job="service" stores them. The finding's alert fires after
// its 5 minutes, for the service, and the probe's alert, with no
// probe_success series, never does. (Its description's `connleak
// diagnose` command wants the service's pprof URL, which a service with
// the collector alone does not serve: docs/collector.md says so.)
func TestAlertRules(t *testing.T) {
	promtool := testutil.Command(t, "promtool", "prometheus")
	srv := httptest.NewServer(http.HandlerFunc(hello))
	defer srv.Close()
	const n = 60
	leakIdle(t, srv.URL, n)
	var m map[string]float64
	testutil.Eventually(t, 10*time.Second, func() error {
		m = gather(t, collector.New())
		if got := m[`connleak_finding{id="idle-client-connections"}`]; got < n {
			return fmt.Errorf("idle-client-connections %v, want %d at least", got, n)
		}
		return nil
	})

	const instance = "127.0.0.1:8080"
	var input []string
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}) {
		name, labels, _ := strings.Cut(strings.TrimSuffix(k, "}"), "{")
		labels = strings.Trim(`job="service",instance="`+instance+`",`+labels, ",")
		input = append(input, fmt.Sprintf("      - series: '%s{%s}'\n        values: '%vx10'", name, labels, m[k]))
	}
	count := m[`connleak_finding{id="idle-client-connections"}`]
	rules, err := filepath.Abs("../exporter/prometheus/alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	// The alert's annotations as its templates write them for the service.
	annotations := alertAnnotations(t, rules, "ConnleakIdleClientConnections")
	for k, v := range annotations {
		v = strings.ReplaceAll(v, "{{ $labels.instance }}", instance)
		annotations[k] = strings.ReplaceAll(v, "{{ $value }}", fmt.Sprint(count))
	}
	fires, err := yaml.Marshal([]map[string]any{{
		"eval_time": "6m", "alertname": "ConnleakIdleClientConnections",
		"exp_alerts": []map[string]any{{
			"exp_labels":      map[string]string{"severity": "warning", "job": "service", "instance": instance, "id": "idle-client-connections"},
			"exp_annotations": annotations,
		}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	test := fmt.Sprintf(`rule_files:
  - %s
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
%s
    alert_rule_test:
      - {eval_time: 4m, alertname: ConnleakIdleClientConnections, exp_alerts: []}
      - {eval_time: 10m, alertname: ConnleakProbeFailing, exp_alerts: []}
%s`, rules, strings.Join(input, "\n"), indent(string(fires), "      "))
	path := filepath.Join(t.TempDir(), "collector_test.yml")
	if err := os.WriteFile(path, []byte(test), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, promtool, "test", "rules", path).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool test rules on the collector's series: %v\n%s\nthe test:\n%s", err, out, test)
	}
}

// alertAnnotations are the annotations of the alert name in the rule file
// path, as written, templates and all.
func alertAnnotations(t *testing.T, path, name string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Groups []struct {
			Rules []struct {
				Alert       string            `yaml:"alert"`
				Annotations map[string]string `yaml:"annotations"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	for _, g := range file.Groups {
		for _, r := range g.Rules {
			if r.Alert == name {
				return r.Annotations
			}
		}
	}
	t.Fatalf("%s has no alert %s", path, name)
	return nil
}

// indent puts prefix before each line of s.
func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n"+prefix) + "\n"
}
