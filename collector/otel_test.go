package collector_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/connleak/connleak/collector"
	"github.com/connleak/connleak/internal/testutil"
)

// otelSeries collects reader once and returns each data point as the
// Prometheus series it stands for: the name with underscores, the
// attributes as labels sorted by name, dots made underscores, and its
// value; and the kind of each instrument, by name.
func otelSeries(t *testing.T, reader *sdkmetric.ManualReader) (map[string]float64, map[string]string) {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	m, kinds := map[string]float64{}, map[string]string{}
	point := func(name string, set attribute.Set, v int64) {
		var labels []string
		for _, kv := range set.ToSlice() {
			labels = append(labels, fmt.Sprintf("%s=%q", strings.ReplaceAll(string(kv.Key), ".", "_"), kv.Value.String()))
		}
		sort.Strings(labels)
		key := strings.ReplaceAll(name, ".", "_")
		if len(labels) > 0 {
			key += "{" + strings.Join(labels, ",") + "}"
		}
		m[key] = float64(v)
	}
	for _, sm := range rm.ScopeMetrics {
		for _, md := range sm.Metrics {
			switch d := md.Data.(type) {
			case metricdata.Gauge[int64]:
				kinds[md.Name] = "gauge"
				for _, p := range d.DataPoints {
					point(md.Name, p.Attributes, p.Value)
				}
			case metricdata.Sum[int64]:
				kinds[md.Name] = fmt.Sprintf("sum monotonic=%v", d.IsMonotonic)
				for _, p := range d.DataPoints {
					point(md.Name, p.Attributes, p.Value)
				}
			default:
				t.Errorf("%s: %T, want int64 gauges and sums", md.Name, md.Data)
			}
		}
	}
	return m, kinds
}

// TestRegisterMeter reads the same measurements through OpenTelemetry's
// SDK as through Prometheus, in a process with leaked connections and an
// instrumented pool: every series, by the same name and labels, with the
// same value; http.client.open_connections as the conventions' up-down
// counter, with its attributes.
func TestRegisterMeter(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(hello))
	defer srv.Close()
	pool := &http.Client{Transport: collector.Transport(&http.Transport{IdleConnTimeout: time.Minute})}
	defer pool.CloseIdleConnections()
	get(t, pool, srv.URL)
	leakIdle(t, srv.URL, 60)

	reader := sdkmetric.NewManualReader()
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer provider.Shutdown(context.Background())
	reg, err := collector.New().RegisterMeter(provider.Meter("connleak"))
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Unregister()

	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	testutil.Eventually(t, 10*time.Second, func() error {
		prom := gather(t, collector.New())
		otel, kinds := otelSeries(t, reader)
		delete(prom, "connleak_goroutines") // the two reads' own goroutines differ
		delete(otel, "connleak_goroutines")
		var diffs []string
		for k, v := range prom {
			if got, ok := otel[k]; !ok || got != v {
				diffs = append(diffs, fmt.Sprintf("%s: Prometheus %v, OpenTelemetry %v (%v)", k, v, got, ok))
			}
		}
		if len(prom) != len(otel) {
			diffs = append(diffs, fmt.Sprintf("%d series in Prometheus, %d in OpenTelemetry", len(prom), len(otel)))
		}
		if kinds["http.client.open_connections"] != "sum monotonic=false" || kinds["connleak.finding"] != "gauge" {
			diffs = append(diffs, fmt.Sprintf("kinds %v: want http.client.open_connections an up-down counter, the rest gauges", kinds))
		}
		if otel[`http_client_open_connections{http_connection_state="idle",server_address="127.0.0.1",server_port="`+port+`"}`] != 1 {
			diffs = append(diffs, "no idle connection of the instrumented pool")
		}
		if len(diffs) > 0 {
			sort.Strings(diffs)
			return fmt.Errorf("%s", strings.Join(diffs, "\n"))
		}
		return nil
	})
}

// TestRegisterMeterBadOption checks that a bad option is RegisterMeter's
// error.
func TestRegisterMeterBadOption(t *testing.T) {
	provider := sdkmetric.NewMeterProvider()
	defer provider.Shutdown(context.Background())
	_, err := collector.New(collector.MaxPeers(0)).RegisterMeter(provider.Meter("connleak"))
	if err == nil || !strings.Contains(err.Error(), "must be 1 to 1000") {
		t.Errorf("RegisterMeter with MaxPeers(0): %v, want the option's error", err)
	}
}
