package collector_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/connleak/connleak/collector"
	"github.com/connleak/connleak/diagnose"
	"github.com/connleak/connleak/internal/testutil"
)

// gather collects c once, as a scrape does, and returns each series as
// name{label="value",...} (labels sorted by name, as the registry gives
// them, empty ones left out, as Prometheus stores them) and its value.
func gather(t *testing.T, c prometheus.Collector) map[string]float64 {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(c); err != nil {
		t.Fatal(err)
	}
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	return flatten(fams)
}

// flatten is every series of fams by its name and labels.
func flatten(fams []*dto.MetricFamily) map[string]float64 {
	m := map[string]float64{}
	for _, f := range fams {
		for _, s := range f.Metric {
			var labels []string
			for _, l := range s.Label {
				if l.GetValue() != "" {
					labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
				}
			}
			name := f.GetName()
			if len(labels) > 0 {
				name += "{" + strings.Join(labels, ",") + "}"
			}
			m[name] = s.GetGauge().GetValue()
		}
	}
	return m
}

func hello(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "hello") }

// get calls url with c, and reads and closes the body.
func get(t *testing.T, c *http.Client, url string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

// leakIdle calls url n times, each with a client of its own, and leaves
// its connection idle until the test ends.
func leakIdle(t *testing.T, url string, n int) {
	t.Helper()
	for range n {
		// DELIBERATE LEAK until the test ends: a client per call, its idle
		// connection kept.
		c := &http.Client{Transport: &http.Transport{}} //connleak:ignore client-per-call the leak this test measures, on purpose
		t.Cleanup(c.CloseIdleConnections)
		get(t, c, url)
	}
}

// TestLeakByPeer is the collector in a service that makes a client per
// call to one upstream and shares one for another: its series name the
// leak and the finding, the leaky upstream's address with its count, and
// the other's healthy count.
func TestLeakByPeer(t *testing.T) {
	leaky, healthy := httptest.NewServer(http.HandlerFunc(hello)), httptest.NewServer(http.HandlerFunc(hello))
	defer leaky.Close()
	defer healthy.Close()
	const n = diagnose.IdleClientThreshold + 10
	leakIdle(t, leaky.URL, n)
	shared := &http.Client{Transport: &http.Transport{IdleConnTimeout: time.Minute}}
	defer shared.CloseIdleConnections()
	for range n {
		get(t, shared, healthy.URL)
	}
	leakyAddr, healthyAddr := leaky.Listener.Addr().String(), healthy.Listener.Addr().String()
	var m map[string]float64
	testutil.Eventually(t, 10*time.Second, func() error {
		m = gather(t, collector.New())
		if got := m[`connleak_http_client_connections{proto="http1",state="idle"}`]; got < n {
			return fmt.Errorf("%v idle client connections, want %d at least", got, n)
		}
		return nil
	})
	if got := m[`connleak_finding{id="idle-client-connections"}`]; got < n {
		t.Errorf("idle-client-connections %v, want %d at least", got, n)
	}
	if m["connleak_goroutines"] < 2*n {
		t.Errorf("connleak_goroutines %v, want the connections' goroutines, %d at least", m["connleak_goroutines"], 2*n)
	}
	if runtime.GOOS != "linux" {
		if len(series(m, collector.TCPConnections)) != 0 {
			t.Errorf("%s on %s, where the collector reads no sockets", collector.TCPConnections, runtime.GOOS)
		}
		return
	}
	want := map[string]float64{
		`connleak_tcp_connections{peer="` + leakyAddr + `",side="client"}`:       n,
		`connleak_tcp_connections{peer="` + healthyAddr + `",side="client"}`:     1,
		`connleak_tcp_connections{listener="` + leakyAddr + `",side="server"}`:   n,
		`connleak_tcp_connections{listener="` + healthyAddr + `",side="server"}`: 1,
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %v, want %v\n%s", k, m[k], v, strings.Join(series(m, collector.TCPConnections), "\n"))
		}
	}
}

// series are the series of m named name, with their values.
func series(m map[string]float64, name string) []string {
	var s []string
	for k, v := range m {
		if k == name || strings.HasPrefix(k, name+"{") {
			s = append(s, fmt.Sprintf("%s %v", k, v))
		}
	}
	return s
}

// TestMaxPeers checks the bound: a bad one is the registration's error,
// naming what is accepted.
func TestMaxPeers(t *testing.T) {
	for _, n := range []int{0, -1, 1001} {
		err := prometheus.NewRegistry().Register(collector.New(collector.MaxPeers(n)))
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("collector.MaxPeers(%d): the addresses a scrape gives in a series must be 1 to 1000", n)) {
			t.Errorf("MaxPeers(%d): %v, want an error naming 1 to 1000", n, err)
		}
	}
	if err := prometheus.NewRegistry().Register(collector.New(collector.MaxPeers(1))); err != nil {
		t.Errorf("MaxPeers(1): %v", err)
	}
}
