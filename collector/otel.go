package collector

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/connleak/connleak/diagnose"
	"github.com/connleak/connleak/internal/metrics"
)

// otelName is the name of a series in OpenTelemetry: the Prometheus name
// with dots, which OpenTelemetry's Prometheus exporter turns back into the
// same name (connleak_http_client_connections is
// connleak.http.client.connections); OpenConnections is the conventions'
// http.client.open_connections.
func otelName(name string) string {
	if name == OpenConnections {
		return "http.client.open_connections"
	}
	return strings.ReplaceAll(name, "_", ".")
}

// RegisterMeter gives the Collector's measurements to m, as observable
// instruments read together at each collection, for a service that
// exports OTLP rather than serving Prometheus: the same series, named
// otelName, with the same labels as attributes; the open connections of
// the instrumented Transports as the conventions' UpDownCounter
// http.client.open_connections, with http.connection.state,
// server.address and server.port. Unregister the registration it returns
// to stop. A bad option is its error.
func (c *Collector) RegisterMeter(m metric.Meter) (metric.Registration, error) {
	if c.err != nil {
		return nil, c.err
	}
	gauges := map[string]metric.Int64ObservableGauge{}
	var all []metric.Observable
	for _, f := range metrics.Of(diagnose.Report{}) {
		g, err := m.Int64ObservableGauge(otelName(f.Name), metric.WithDescription(metrics.Help[f.Name]))
		if err != nil {
			return nil, err
		}
		gauges[f.Name], all = g, append(all, g)
	}
	success, err := m.Int64ObservableGauge(otelName(ReadSuccess), metric.WithDescription(help[ReadSuccess]))
	if err != nil {
		return nil, err
	}
	gauges[ReadSuccess], all = success, append(all, success)
	tcp, err := m.Int64ObservableGauge(otelName(TCPConnections), metric.WithDescription(help[TCPConnections]), metric.WithUnit("{connection}"))
	if err != nil {
		return nil, err
	}
	open, err := m.Int64ObservableUpDownCounter(otelName(OpenConnections), metric.WithDescription(help[OpenConnections]), metric.WithUnit("{connection}"))
	if err != nil {
		return nil, err
	}
	return m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		s := c.read()
		for _, f := range s.families {
			for _, v := range f.Series {
				o.ObserveInt64(gauges[f.Name], int64(v.Value), metric.WithAttributes(attributes(v.Labels)...))
			}
		}
		for _, p := range s.sockets.client {
			o.ObserveInt64(tcp, int64(p.n), metric.WithAttributes(attribute.String("side", "client"), attribute.String("peer", p.addr)))
		}
		for _, l := range s.sockets.server {
			o.ObserveInt64(tcp, int64(l.n), metric.WithAttributes(attribute.String("side", "server"), attribute.String("listener", l.addr)))
		}
		for _, h := range s.open {
			host, port := splitHost(h.addr)
			where := []attribute.KeyValue{attribute.String("server.address", host)}
			if p, err := strconv.Atoi(port); err == nil {
				where = append(where, attribute.Int("server.port", p))
			}
			for state, n := range map[string]int{"idle": h.n - h.active, "active": h.active} {
				o.ObserveInt64(open, int64(n), metric.WithAttributes(slices.Concat(where, []attribute.KeyValue{attribute.String("http.connection.state", state)})...))
			}
		}
		return s.err
	}, append(all, tcp, open)...)
}

// attributes are labels, name and value pairs, as attributes.
func attributes(labels []string) []attribute.KeyValue {
	var kvs []attribute.KeyValue
	for i := 0; i+1 < len(labels); i += 2 {
		kvs = append(kvs, attribute.String(labels[i], labels[i+1]))
	}
	return kvs
}
