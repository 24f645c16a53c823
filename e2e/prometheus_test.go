package e2e

import (
	"encoding/json"
	"fmt"
	"github.com/connleak/connleak/internal/testutil"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// needPrometheus is the path of the prometheus command. Without one the
// test is skipped, or fails under CI, which installs Debian's.
func needPrometheus(t *testing.T) string {
	t.Helper()
	return testutil.Command(t, "prometheus", "prometheus")
}

// rewrite returns text, a file of the repository's exporter/prometheus/ folder read
// by name, with each old string of oldNew (old, new, old, new...) replaced
// by its new one, everywhere. It fails the test if text does not hold an
// old string: the file has changed, and the test must be told what to
// replace now, not run with what an operator would not.
func rewrite(t *testing.T, name, text string, oldNew ...string) string {
	t.Helper()
	for i := 0; i+1 < len(oldNew); i += 2 {
		old, new := oldNew[i], oldNew[i+1]
		if !strings.Contains(text, old) {
			t.Fatalf("exporter/prometheus/%s no longer holds %q: change what the test replaces", name, old)
		}
		text = strings.ReplaceAll(text, old, new)
	}
	return text
}

// promServer is a Prometheus a test started.
type promServer struct {
	URL string // such as http://127.0.0.1:40123
}

// promListening is the line of Prometheus's log that says where it serves.
var promListening = regexp.MustCompile(`msg="Listening on" address=(\S+)`)

// promStartTimeout bounds how long Prometheus may take to be ready, and
// promStopTimeout how long it may take to stop after SIGTERM.
const (
	promStartTimeout = 30 * time.Second
	promStopTimeout  = 10 * time.Second
)

// startPrometheus runs the prometheus command bin with the configuration
// files of files (by name: prometheus.yml, and the rule files it names,
// which Prometheus reads relative to it) in a directory of their own, on a
// free loopback port, with its storage in a temporary directory, and
// returns once it is ready. When the test ends it stops it with SIGTERM.
func startPrometheus(t *testing.T, bin string, files map[string]string) *promServer {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(bin,
		"--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+t.TempDir(),
		"--web.listen-address=127.0.0.1:0",
	)
	srv, log := startService(t, "prometheus", cmd, promStopTimeout)
	p := &promServer{}
	eventually(t, promStartTimeout, func() error {
		select {
		case <-srv.Exited():
			t.Fatalf("prometheus exited before it was ready: %v; its log:\n%s", srv.Err(), log)
		default:
		}
		if p.URL == "" {
			m := promListening.FindStringSubmatch(log.String())
			if m == nil {
				return fmt.Errorf("prometheus has not logged %q", `msg="Listening on"`)
			}
			p.URL = "http://" + m[1]
		}
		resp, err := client.Get(p.URL + "/-/ready")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s/-/ready: %s", p.URL, resp.Status)
		}
		return nil
	})
	return p
}

// promSeries is one series of an instant query's answer: its labels,
// __name__ among them, and its value.
type promSeries struct {
	Labels map[string]string
	Value  float64
}

// query is the answer to the instant query q: an error where Prometheus
// is not answering, or does not answer a vector.
func (p *promServer) query(q string) ([]promSeries, error) {
	var data struct {
		ResultType string `json:"resultType"`
		Result     []struct {
			Metric map[string]string `json:"metric"`
			Value  [2]any            `json:"value"` // [unix time, "value"]
		} `json:"result"`
	}
	if err := p.api("/api/v1/query?query="+url.QueryEscape(q), &data); err != nil {
		return nil, err
	}
	if data.ResultType != "vector" {
		return nil, fmt.Errorf("query %s: a %s, want a vector", q, data.ResultType)
	}
	series := make([]promSeries, 0, len(data.Result))
	for _, r := range data.Result {
		s, _ := r.Value[1].(string)
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("query %s: value %v of %v: %v", q, r.Value[1], r.Metric, err)
		}
		series = append(series, promSeries{Labels: r.Metric, Value: v})
	}
	return series, nil
}

// promAlert is an alert Prometheus has pending or firing.
type promAlert struct {
	Labels map[string]string `json:"labels"`
	State  string            `json:"state"` // pending or firing
	Value  string            `json:"value"`
}

// alerts are the alerts Prometheus has pending or firing now.
func (p *promServer) alerts() ([]promAlert, error) {
	var data struct {
		Alerts []promAlert `json:"alerts"`
	}
	err := p.api("/api/v1/alerts", &data)
	return data.Alerts, err
}

// api GETs path of Prometheus's HTTP API and decodes the data of its
// answer into data.
func (p *promServer) api(path string, data any) error {
	resp, err := client.Get(p.URL + path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("GET %s: %v", path, err)
	}
	var answer struct {
		Status string          `json:"status"`
		Error  string          `json:"error"`
		Data   json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(b, &answer); err != nil || answer.Status != "success" {
		return fmt.Errorf("GET %s: %s %.300q (%v), want status success", path, resp.Status, b, err)
	}
	if err := json.Unmarshal(answer.Data, data); err != nil {
		return fmt.Errorf("GET %s: %v in %.300q", path, err, answer.Data)
	}
	return nil
}
