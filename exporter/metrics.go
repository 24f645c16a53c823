package exporter

import (
	"github.com/connleak/connleak/diagnose"
	"github.com/connleak/connleak/internal/metrics"
	"github.com/prometheus/client_golang/prometheus"
)

// probeRegistry is a fresh registry with a probe's metrics: on success,
// what rd's report says (metrics.Of) and its waits where it has them;
// always, probe_success and probe_duration_seconds.
func probeRegistry(rd *reading, seconds float64) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	success := 0.0
	if rd != nil {
		success = 1
		for _, f := range metrics.Of(rd.report) {
			f.Register(reg)
		}
		if rd.waits != nil {
			waits := metrics.Family{Name: metrics.OldestWait}
			for _, info := range diagnose.Findings() {
				waits.Series = append(waits.Series, metrics.Series{Labels: []string{"id", info.ID}, Value: rd.waits[info.ID].Seconds()})
			}
			waits.Register(reg)
		}
	}
	metrics.Family{Name: metrics.ProbeSuccess, Series: []metrics.Series{{Value: success}}}.Register(reg)
	metrics.Family{Name: metrics.ProbeDuration, Series: []metrics.Series{{Value: seconds}}}.Register(reg)
	return reg
}
