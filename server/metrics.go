package server

import (
	"net/http"
	"regexp"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/connleak/connleak/collector"
)

// schedPauses matches the runtime/metrics histograms of stop-the-world
// pauses (/sched/pauses/total/other:seconds and its siblings, Go 1.22+),
// which the Go collector leaves out by default: they show what a full
// goroutine dump (debug=2) costs the process serving it.
var schedPauses = regexp.MustCompile(`^/sched/pauses/`)

// newMetrics returns the /metrics handler: the Go and process collectors
// (go_goroutines is the series people alert on), with the runtime's
// stop-the-world pause histograms added to the Go collector's defaults,
// connleak's collector (the process's goroutines classified, its sockets
// by peer, /forward's pools by host: what a service gets from one line),
// and the lab's own connection accounting, read at scrape time. Each Server
// has its own registry; the collector's series are the process's.
func (s *Server) newMetrics() http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(collectors.WithGoCollectorRuntimeMetrics(collectors.GoRuntimeMetricsRule{Matcher: schedPauses})),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collector.New(),
	)
	for _, state := range []string{"active", "idle", "new"} {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name:        "connleak_server_connections",
			Help:        "Connections this instance accepted and has not closed yet, by state.",
			ConstLabels: prometheus.Labels{"state": state},
		}, func() float64 {
			st := s.serverConns.stats()
			switch state {
			case "active":
				return float64(st.Active)
			case "idle":
				return float64(st.Idle)
			default:
				return float64(st.Open - st.Active - st.Idle)
			}
		}))
	}
	cc := s.clientConns
	for _, c := range []struct {
		name, help, proto string
		n                 *atomic.Int64
	}{
		{"opened", "Calls of /forward to server 1 that dialled a new connection, by protocol.", "HTTP/1.1", &cc.opened1},
		{"opened", "Calls of /forward to server 1 that dialled a new connection, by protocol.", "HTTP/2.0", &cc.opened2},
		{"reused", "Calls of /forward to server 1 that reused a pooled connection, by protocol.", "HTTP/1.1", &cc.reused1},
		{"reused", "Calls of /forward to server 1 that reused a pooled connection, by protocol.", "HTTP/2.0", &cc.reused2},
	} {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name:        "connleak_client_connections_" + c.name + "_total",
			Help:        c.help,
			ConstLabels: prometheus.Labels{"proto": c.proto},
		}, func() float64 { return float64(c.n.Load()) }))
	}
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "connleak_client_calls_in_flight",
			Help: "Calls of /forward to server 1 under way.",
		}, func() float64 { return float64(s.clientConns.inFlight.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "connleak_client_connections_held",
			Help: "Connections to server 1 that /forward's transports hold open.",
		}, func() float64 { return float64(s.clientConns.held()) }),
	)
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

// serveMetrics answers GET and HEAD /metrics.
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	if allowNoQuery(w, r, http.MethodGet, http.MethodHead) {
		s.metrics.ServeHTTP(w, r)
	}
}
