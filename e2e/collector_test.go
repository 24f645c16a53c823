package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// buildService builds testdata/service as a new user builds a service of
// their own that imports connleak's collector: in a module of its own,
// which requires connleak through a replace of this working tree, with the
// go command and toolchain the tests run with. It returns the binary.
func buildService(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	goMod := "module example.com/service\n\ngo 1.26\n\nrequire github.com/connleak/connleak v0.0.0\n\nreplace github.com/connleak/connleak => " + root + "\n"
	sum, err := os.ReadFile(filepath.Join(root, "go.sum")) // the versions connleak pins
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"go.mod": []byte(goMod), "go.sum": sum, "main.go": []byte(readFile(t, "testdata/service/main.go"))} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(dir, "service")
	for _, args := range [][]string{{"mod", "tidy"}, {"build", "-o", bin, "."}} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("go %s in the user's module: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return bin
}

// serviceLines are what testdata/service prints once it serves.
var serviceLines = regexp.MustCompile(`service (http://\S+)\nleaky (\S+)\nhealthy (\S+)\n`)

// TestCollectorService is the collector in a new user's service, given the
// one line and a client per call to one of its two upstreams: its /metrics
// shows the leak, the finding, and the leaky upstream's address with its
// count beside the healthy one's; and a real Prometheus scraping it, with
// the repository's alert rules unchanged but for the findings' `for`,
// fires the finding's alert for it.
func TestCollectorService(t *testing.T) {
	bin := needPrometheus(t)
	t.Parallel()
	svc, out := startService(t, "service", exec.Command(buildService(t)), 10*time.Second)
	var m []string
	if err := svc.Await(context.Background(), 30*time.Second, func() error {
		if m = serviceLines.FindStringSubmatch(out.String()); m == nil {
			return errors.New("the service has not said where it serves")
		}
		return nil
	}); err != nil {
		t.Fatalf("%v; its output:\n%s", err, out)
	}
	url, leaky, healthy := m[1], m[2], m[3]
	const n = 100
	if body := text(t, fmt.Sprintf("%s/call?n=%d", url, n)); body != fmt.Sprintf("%d calls to each\n", n) {
		t.Fatalf("GET /call: %q", body)
	}

	// Its own /metrics.
	series := func(text, name string) string {
		re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` (\S+)$`)
		if m := re.FindStringSubmatch(text); m != nil {
			return m[1]
		}
		return "absent"
	}
	metrics := text(t, url+"/metrics")
	for name, want := range map[string]string{
		`connleak_tcp_connections{listener="",peer="` + leaky + `",side="client"}`:   fmt.Sprint(n),
		`connleak_tcp_connections{listener="",peer="` + healthy + `",side="client"}`: "1",
		`connleak_finding{id="idle-client-connections"}`:                             fmt.Sprint(n + 1), // every idle one, the shared client's too
		`connleak_http_client_connections{proto="http1",state="idle"}`:               fmt.Sprint(n + 1),
	} {
		if got := series(metrics, name); got != want {
			t.Errorf("%s %s, want %s", name, got, want)
		}
	}

	// A real Prometheus, scraping it every second, with the repository's rules.
	instance := strings.TrimPrefix(url, "http://")
	config := "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - alerts.yml\nscrape_configs:\n  - job_name: service\n    static_configs:\n      - targets: ['" + instance + "']\n"
	prom := startPrometheus(t, bin, map[string]string{
		"prometheus.yml": config,
		"alerts.yml":     shortFindingFors(t, readFile(t, "../exporter/prometheus/alerts.yml")),
	})
	want := map[string]float64{
		`connleak_tcp_connections{side="client",peer="` + leaky + `"}`:   n,
		`connleak_tcp_connections{side="client",peer="` + healthy + `"}`: 1,
		`connleak_finding{id="idle-client-connections"}`:                 n + 1,
	}
	eventually(t, 30*time.Second, func() error {
		var waiting []error
		for q, v := range want {
			s, err := prom.query(q)
			if err != nil {
				return err
			}
			if len(s) != 1 || s[0].Value != v || s[0].Labels["instance"] != instance {
				waiting = append(waiting, fmt.Errorf("%s: %+v, want %v for %s", q, s, v, instance))
			}
		}
		alerts, err := prom.alerts()
		if err != nil {
			return err
		}
		firing := alertWant{"ConnleakIdleClientConnections", instance}
		if !firing.firing(alerts) {
			waiting = append(waiting, fmt.Errorf("%s not firing for %s yet; alerts now: %s", firing.alert, instance, describe(alerts)))
		}
		for _, a := range alerts {
			// The service's upstreams are its own: their side of the leak
			// is its idle server connections.
			if a.Labels["alertname"] != firing.alert && a.Labels["alertname"] != "ConnleakIdleServerConnections" {
				t.Fatalf("alert %s is %s for %s: want only the leak's", a.Labels["alertname"], a.State, a.Labels["instance"])
			}
		}
		return errors.Join(waiting...)
	})
}
