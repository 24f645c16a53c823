package prometheus_test

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// exporterService is where kubernetes.yml sends its probes.
const exporterService = "connleak-exporter.monitoring.svc:9465"

// discoveryWait is how long promtool check service-discovery collects
// targets before it prints them (it always waits that long): a file's are
// there at once.
const discoveryWait = "3s"

// pod is a target as Kubernetes discovery gives it: the pod's address
// (its IP and a container port) and its meta labels.
type pod struct {
	Targets []string          `json:"targets"`
	Labels  map[string]string `json:"labels"`
}

// fileSDConfig writes into dir a copy of kubernetes.yml whose job reads
// pods from a file (pods.json, written beside it) instead of Kubernetes,
// and returns its path. The copy has no rule_files: alerts.yml is checked
// by itself.
func fileSDConfig(t *testing.T, dir string, pods []pod) string {
	t.Helper()
	data, err := os.ReadFile("kubernetes.yml")
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		t.Fatalf("kubernetes.yml: %v", err)
	}
	jobs, _ := cfg["scrape_configs"].([]any)
	if len(jobs) != 1 {
		t.Fatalf("kubernetes.yml has %d scrape configs, want 1 (job connleak)", len(jobs))
	}
	job, _ := jobs[0].(map[string]any)
	// The discovery replaced must be the pods, with nothing else set.
	sd, _ := job["kubernetes_sd_configs"].([]any)
	var sdPods map[string]any
	if len(sd) == 1 {
		sdPods, _ = sd[0].(map[string]any)
	}
	if job["job_name"] != "connleak" || len(sdPods) != 1 || sdPods["role"] != "pod" {
		t.Fatalf("kubernetes.yml: want job connleak with kubernetes_sd_configs [{role: pod}], got job %v with kubernetes_sd_configs %v", job["job_name"], job["kubernetes_sd_configs"])
	}
	delete(job, "kubernetes_sd_configs")
	job["file_sd_configs"] = []any{map[string]any{"files": []string{filepath.Join(dir, "pods.json")}}}
	delete(cfg, "rule_files")

	if pods == nil {
		pods = []pod{}
	}
	podData, err := json.Marshal(pods)
	if err != nil {
		t.Fatal(err)
	}
	out, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "kubernetes.yml")
	if err := os.WriteFile(filepath.Join(dir, "pods.json"), podData, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// podLabels are the meta labels Kubernetes discovery gives a running pod
// named name in namespace shop with address ip, and an annotation for each
// pair of annotations (connleak.io/ left out of the names).
func podLabels(name, ip string, annotations ...string) map[string]string {
	l := map[string]string{
		"__meta_kubernetes_namespace": "shop",
		"__meta_kubernetes_pod_name":  name,
		"__meta_kubernetes_pod_ip":    ip,
		"__meta_kubernetes_pod_phase": "Running",
	}
	for i := 0; i < len(annotations); i += 2 {
		l["__meta_kubernetes_pod_annotation_connleak_io_"+annotations[i]] = annotations[i+1]
	}
	return l
}

// TestKubernetesRelabel gives kubernetes.yml's relabelling pods as
// Kubernetes discovery would (from a file, through promtool check
// service-discovery) and checks what it makes of each: dropped, or probed
// through the exporter at the URL of its annotations and their defaults.
func TestKubernetesRelabel(t *testing.T) {
	notRunning := podLabels("done", "10.1.2.7", "scrape", "true")
	notRunning["__meta_kubernetes_pod_phase"] = "Succeeded"
	cases := []struct {
		name    string
		address string // the discovered address: a pod IP and container port
		labels  map[string]string
		target  string // the URL probed; "" for a pod dropped
		module  string
	}{
		{"defaults", "10.1.2.3:8080", podLabels("cart", "10.1.2.3", "scrape", "true"),
			"http://10.1.2.3:6060/debug/pprof/goroutine", ""},
		{"a second container port is the same target", "10.1.2.3:9000", podLabels("cart", "10.1.2.3", "scrape", "true"),
			"http://10.1.2.3:6060/debug/pprof/goroutine", ""},
		{"every annotation", "10.1.2.4:8443", podLabels("pay", "10.1.2.4", "scrape", "true", "scheme", "https", "port", "7070", "path", "/internal/goroutine", "module", "waits"),
			"https://10.1.2.4:7070/internal/goroutine", "waits"},
		{"empty annotations take the defaults", "10.1.2.5:8080", podLabels("ship", "10.1.2.5", "scrape", "true", "scheme", "", "port", "", "path", "", "module", ""),
			"http://10.1.2.5:6060/debug/pprof/goroutine", ""},
		{"IPv6 in brackets", "[fd00::1]:8080", podLabels("cart-v6", "fd00::1", "scrape", "true", "port", "7070"),
			"http://[fd00::1]:7070/debug/pprof/goroutine", ""},
		{"no annotation", "10.1.2.6:8080", podLabels("db", "10.1.2.6"), "", ""},
		{"scrape false", "10.1.2.8:8080", podLabels("cache", "10.1.2.8", "scrape", "false"), "", ""},
		{"not running", "10.1.2.7:8080", notRunning, "", ""},
	}
	pods := make([]pod, len(cases))
	for i, c := range cases {
		pods[i] = pod{Targets: []string{c.address}, Labels: c.labels}
	}
	config := fileSDConfig(t, t.TempDir(), pods)
	stdout, stderr, ok := runPromtool(t, "check", "service-discovery", "--timeout="+discoveryWait, config, "connleak")
	if !ok {
		t.Fatalf("promtool check service-discovery failed:\n%s%s", stdout, stderr)
	}
	var results []struct {
		Discovered map[string]string `json:"discoveredLabels"`
		Labels     map[string]string `json:"labels"`
	}
	if err := json.Unmarshal([]byte(stdout), &results); err != nil {
		t.Fatalf("promtool check service-discovery: %v in\n%s", err, stdout)
	}
	byAddress := map[string]map[string]string{}
	for _, r := range results {
		byAddress[r.Discovered["__address__"]] = r.Labels
	}

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, found := byAddress[c.address]
			if !found {
				t.Fatalf("promtool did not discover %s; it discovered %v", c.address, slices.Sorted(maps.Keys(byAddress)))
			}
			if c.target == "" {
				if len(got) != 0 {
					t.Fatalf("got a target %v, want the pod dropped", got)
				}
				return
			}
			want := map[string]string{
				"__address__":      exporterService,
				"__metrics_path__": "/probe",
				"__param_target":   c.target,
				"__param_module":   c.module,
				"instance":         c.target,
				"job":              "connleak",
				"namespace":        "shop",
				"pod":              c.labels["__meta_kubernetes_pod_name"],
			}
			for name, value := range want {
				if got[name] != value {
					t.Errorf("%s = %q, want %q", name, got[name], value)
				}
			}
			// The labels every series of the pod carries: no more.
			var kept []string
			for name := range got {
				if !strings.HasPrefix(name, "__") {
					kept = append(kept, name)
				}
			}
			slices.Sort(kept)
			if want := []string{"instance", "job", "namespace", "pod"}; !slices.Equal(kept, want) {
				t.Errorf("target labels %v, want %v", kept, want)
			}
		})
	}
}
