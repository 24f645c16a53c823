package exporter

import (
	"github.com/connleak/connleak/diagnose"
	"github.com/prometheus/client_golang/prometheus"
)

// The metrics of a probe. Their labels take only the values written here
// and the ids of diagnose's findings: nothing of a dump reaches a label, so
// a fleet's series are bounded by its targets.
const (
	metricGoroutines    = "connleak_goroutines"
	metricClientConns   = "connleak_http_client_connections"
	metricClientCalls   = "connleak_http_client_calls"
	metricClientDials   = "connleak_http_client_dials"
	metricServerConns   = "connleak_http_server_connections"
	metricFinding       = "connleak_finding"
	metricOldestWait    = "connleak_oldest_wait_seconds"
	metricProbeSuccess  = "probe_success"
	metricProbeDuration = "probe_duration_seconds"
)

// series is one value of a probe's metric: its labels, as name and value
// pairs, and its value.
type series struct {
	labels []string
	value  float64
}

// connections is what a report says of each side's connections, by
// protocol and state, and of its calls and dials: every series with its
// labels, sums that add up to the report's counts (a state's count is never
// below 0, even in a dump taken while connections changed).
func connections(r diagnose.Report) map[string][]series {
	c, s := r.Client, r.Server
	idle1 := c.Idle - c.IdleHTTP2
	srvIdle1 := s.Idle - s.AwaitingRequest - s.IdleHTTP2
	return map[string][]series{
		metricClientConns: {
			{[]string{"proto", "http1", "state", "idle"}, float64(idle1)},
			{[]string{"proto", "http1", "state", "active"}, float64(max(0, c.HTTP1-idle1-c.BodyUnread))},
			{[]string{"proto", "http1", "state", "body_unread"}, float64(c.BodyUnread)},
			{[]string{"proto", "http2", "state", "idle"}, float64(c.IdleHTTP2)},
			{[]string{"proto", "http2", "state", "active"}, float64(max(0, c.HTTP2-c.IdleHTTP2))},
		},
		metricClientCalls: {
			{[]string{"state", "waiting_for_response"}, float64(c.InFlight)},
			{[]string{"state", "waiting_for_connection"}, float64(c.WaitingForConn)},
		},
		metricClientDials: {
			{[]string{"state", "connecting"}, float64(max(0, c.Dialing-c.Handshaking))},
			{[]string{"state", "tls_handshake"}, float64(c.Handshaking)},
		},
		metricServerConns: {
			{[]string{"proto", "http1", "state", "idle"}, float64(srvIdle1)},
			{[]string{"proto", "http1", "state", "awaiting_request"}, float64(s.AwaitingRequest)},
			{[]string{"proto", "http1", "state", "active"}, float64(max(0, s.HTTP1-srvIdle1-s.AwaitingRequest))},
			{[]string{"proto", "http2", "state", "idle"}, float64(s.IdleHTTP2)},
			{[]string{"proto", "http2", "state", "active"}, float64(max(0, s.HTTP2-s.IdleHTTP2))},
		},
	}
}

// help is each metric's HELP text.
var help = map[string]string{
	metricGoroutines:    "Goroutines in the target's goroutine profile.",
	metricClientConns:   "The target's outbound HTTP connections, by protocol and state: idle in a pool, active (a call waiting on it; for HTTP/2, one a call in flight, up to the connections there are), body_unread (held by a response body neither read to the end nor closed).",
	metricClientCalls:   "The target's outbound HTTP calls waiting: for their response, or for a connection (queued behind MaxConnsPerHost).",
	metricClientDials:   "The target's outbound connections being dialled: connecting, or in their TLS handshake.",
	metricServerConns:   "The target's inbound HTTP connections, by protocol and state: idle (kept alive between requests), awaiting_request (sent nothing yet), active (reading a request or running a handler).",
	metricFinding:       "The count of each finding of connleak diagnose, where the profile names it (at its threshold: docs/findings.md), else 0.",
	metricOldestWait:    "How long the longest-waiting goroutine of each finding's kind has been blocked, in seconds (minute resolution; 0 under a minute); only where the profile says (debug=2).",
	metricProbeSuccess:  "Whether the target's goroutine profile was fetched and read.",
	metricProbeDuration: "How long the probe took, in seconds.",
}

// register adds a gauge family of name with values to reg.
func register(reg *prometheus.Registry, name string, values []series) {
	if len(values) == 0 {
		return
	}
	var names []string
	for i := 0; i < len(values[0].labels); i += 2 {
		names = append(names, values[0].labels[i])
	}
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help[name]}, names)
	reg.MustRegister(g)
	for _, v := range values {
		var labels []string
		for i := 1; i < len(v.labels); i += 2 {
			labels = append(labels, v.labels[i])
		}
		g.WithLabelValues(labels...).Set(v.value)
	}
}

// probeRegistry is a fresh registry with a probe's metrics: on success,
// rd's; always, probe_success and probe_duration_seconds.
func probeRegistry(rd *reading, seconds float64) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	success := 0.0
	if rd != nil {
		success = 1
		r := rd.report
		register(reg, metricGoroutines, []series{{nil, float64(r.Goroutines)}})
		for name, values := range connections(r) {
			register(reg, name, values)
		}
		var findings, waits []series
		for _, info := range diagnose.Findings() {
			n := 0
			if f, ok := r.Finding(info.ID); ok {
				n = f.Count
			}
			findings = append(findings, series{[]string{"id", info.ID}, float64(n)})
			if rd.waits != nil {
				waits = append(waits, series{[]string{"id", info.ID}, rd.waits[info.ID].Seconds()})
			}
		}
		register(reg, metricFinding, findings)
		register(reg, metricOldestWait, waits)
	}
	register(reg, metricProbeSuccess, []series{{nil, success}})
	register(reg, metricProbeDuration, []series{{nil, seconds}})
	return reg
}
