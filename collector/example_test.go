package collector_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/connleak/connleak/collector"
)

// A service registers the collector where its /metrics is served
// (prometheus.MustRegister(collector.New()) for the default registry,
// which promhttp.Handler serves), and instruments the pool it owns.
func Example() {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collector.New())
	// http.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))

	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") }))
	defer upstream.Close()
	client := &http.Client{Transport: collector.Transport(&http.Transport{IdleConnTimeout: 90 * time.Second})}
	defer client.CloseIdleConnections()
	resp, err := client.Get(upstream.URL)
	if err != nil {
		fmt.Println(err)
		return
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()

	fams, err := reg.Gather()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range fams {
		for _, m := range f.Metric {
			labels := map[string]string{}
			for _, l := range m.Label {
				labels[l.GetName()] = l.GetValue()
			}
			switch {
			case f.GetName() == "http_client_open_connections":
				fmt.Println(f.GetName(), labels["http_connection_state"], m.GetGauge().GetValue())
			case f.GetName() == "connleak_finding" && labels["id"] == "idle-client-connections":
				fmt.Println(f.GetName(), labels["id"], m.GetGauge().GetValue())
			}
		}
	}
	// Output:
	// connleak_finding idle-client-connections 0
	// http_client_open_connections active 0
	// http_client_open_connections idle 1
}
