// Package metrics is what connleak's exporter and collector say of a
// diagnosis as metric families: one set of names, help texts and label
// values for both, so that the alert rules of exporter/prometheus work on
// either. Its labels take only the values written here and the ids of
// diagnose's findings: nothing of a dump reaches a label.
package metrics

import (
	"github.com/connleak/connleak/diagnose"
	"github.com/prometheus/client_golang/prometheus"
)

// The metrics of a diagnosis, and the exporter's of a probe.
const (
	Goroutines    = "connleak_goroutines"
	ClientConns   = "connleak_http_client_connections"
	ClientCalls   = "connleak_http_client_calls"
	ClientDials   = "connleak_http_client_dials"
	ServerConns   = "connleak_http_server_connections"
	Finding       = "connleak_finding"
	OldestWait    = "connleak_oldest_wait_seconds"
	ProbeSuccess  = "probe_success"
	ProbeDuration = "probe_duration_seconds"
)

// Series is one value of a metric: its labels, as name and value pairs,
// and its value.
type Series struct {
	Labels []string
	Value  float64
}

// A Family is a metric's name and its series, every one with the same
// label names.
type Family struct {
	Name   string
	Series []Series
}

// Of is what report r says: its goroutines, each side's connections by
// protocol and state, its calls and dials, and the count of each finding
// of the registry, 0 where r does not name it.
func Of(r diagnose.Report) []Family {
	fs := []Family{{Goroutines, []Series{{nil, float64(r.Goroutines)}}}}
	fs = append(fs, connections(r)...)
	var findings []Series
	for _, info := range diagnose.Findings() {
		n := 0
		if f, ok := r.Finding(info.ID); ok {
			n = f.Count
		}
		findings = append(findings, Series{[]string{"id", info.ID}, float64(n)})
	}
	return append(fs, Family{Finding, findings})
}

// connections is what a report says of each side's connections, by
// protocol and state, and of its calls and dials: every series with its
// labels, sums that add up to the report's counts (a state's count is never
// below 0, even in a dump taken while connections changed).
func connections(r diagnose.Report) []Family {
	c, s := r.Client, r.Server
	idle1 := c.Idle - c.IdleHTTP2
	srvIdle1 := s.Idle - s.AwaitingRequest - s.IdleHTTP2
	return []Family{
		{ClientConns, []Series{
			{[]string{"proto", "http1", "state", "idle"}, float64(idle1)},
			{[]string{"proto", "http1", "state", "active"}, float64(max(0, c.HTTP1-idle1-c.BodyUnread))},
			{[]string{"proto", "http1", "state", "body_unread"}, float64(c.BodyUnread)},
			{[]string{"proto", "http2", "state", "idle"}, float64(c.IdleHTTP2)},
			{[]string{"proto", "http2", "state", "active"}, float64(max(0, c.HTTP2-c.IdleHTTP2))},
		}},
		{ClientCalls, []Series{
			{[]string{"state", "waiting_for_response"}, float64(c.InFlight)},
			{[]string{"state", "waiting_for_connection"}, float64(c.WaitingForConn)},
		}},
		{ClientDials, []Series{
			{[]string{"state", "connecting"}, float64(max(0, c.Dialing-c.Handshaking))},
			{[]string{"state", "tls_handshake"}, float64(c.Handshaking)},
		}},
		{ServerConns, []Series{
			{[]string{"proto", "http1", "state", "idle"}, float64(srvIdle1)},
			{[]string{"proto", "http1", "state", "awaiting_request"}, float64(s.AwaitingRequest)},
			{[]string{"proto", "http1", "state", "active"}, float64(max(0, s.HTTP1-srvIdle1-s.AwaitingRequest))},
			{[]string{"proto", "http2", "state", "idle"}, float64(s.IdleHTTP2)},
			{[]string{"proto", "http2", "state", "active"}, float64(max(0, s.HTTP2-s.IdleHTTP2))},
		}},
	}
}

// Help is each metric's HELP text.
var Help = map[string]string{
	Goroutines:    "Goroutines in the target's goroutine profile.",
	ClientConns:   "The target's outbound HTTP connections, by protocol and state: idle in a pool, active (a call waiting on it; for HTTP/2, one a call in flight, up to the connections there are), body_unread (held by a response body neither read to the end nor closed).",
	ClientCalls:   "The target's outbound HTTP calls waiting: for their response, or for a connection (queued behind MaxConnsPerHost).",
	ClientDials:   "The target's outbound connections being dialled: connecting, or in their TLS handshake.",
	ServerConns:   "The target's inbound HTTP connections, by protocol and state: idle (kept alive between requests), awaiting_request (sent nothing yet), active (reading a request or running a handler).",
	Finding:       "The count of each finding of connleak diagnose, where the profile names it (at its threshold: docs/findings.md), else 0.",
	OldestWait:    "How long the longest-waiting goroutine of each finding's kind has been blocked, in seconds (minute resolution; 0 under a minute); only where the profile says (debug=2).",
	ProbeSuccess:  "Whether the target's goroutine profile was fetched and read.",
	ProbeDuration: "How long the probe took, in seconds.",
}

// LabelNames are the names of f's labels, those of its first series.
func (f Family) LabelNames() []string {
	if len(f.Series) == 0 {
		return nil
	}
	var names []string
	for i := 0; i < len(f.Series[0].Labels); i += 2 {
		names = append(names, f.Series[0].Labels[i])
	}
	return names
}

// Register adds f to reg as a gauge family, with its values.
func (f Family) Register(reg *prometheus.Registry) {
	if len(f.Series) == 0 {
		return
	}
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: f.Name, Help: Help[f.Name]}, f.LabelNames())
	reg.MustRegister(g)
	for _, v := range f.Series {
		g.WithLabelValues(Values(v.Labels)...).Set(v.Value)
	}
}

// Values are the values of labels, name and value pairs.
func Values(labels []string) []string {
	var vs []string
	for i := 1; i < len(labels); i += 2 {
		vs = append(vs, labels[i])
	}
	return vs
}
