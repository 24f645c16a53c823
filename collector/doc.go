// Package collector puts connleak inside the service: a Prometheus
// collector that reads the process's own goroutines at each scrape, with
// no pprof endpoint, and gives what the connleak exporter gives of a
// probe, under the same names, so that the alert rules of
// exporter/prometheus/alerts.yml work on it unchanged:
//
//	prometheus.MustRegister(collector.New())
//
// connleak_http_client_connections{proto,state},
// connleak_http_server_connections{proto,state},
// connleak_http_client_calls{state}, connleak_http_client_dials{state},
// connleak_finding{id} and connleak_goroutines, read as diagnose.Process
// reads them; and, on Linux, from the process's own sockets,
// connleak_tcp_connections{side="client",peer="IP:port"} for the
// connections it made, by remote address, and
// connleak_tcp_connections{side="server",listener="IP:port"} for those it
// accepted, by the address it listens on: which upstream holds the
// connections, with no change to the code that makes them. At most
// MaxPeers addresses a side (20 by default), the rest as "other". Other
// systems list no sockets to a process: there these series are absent.
//
// For a pool the service owns, Transport instruments an http.Transport,
// and every Collector then gives its connections by host and state, as
// OpenTelemetry's conventions define http.client.open_connections:
// http_client_open_connections{http_connection_state="idle"|"active",
// server_address, server_port}.
//
// RegisterMeter gives the same measurements to an OpenTelemetry Meter,
// for a service that exports OTLP.
//
// A scrape stops the world twice, briefly (about 0.1 ms in all at 18,000
// goroutines), as pprof's goroutine profile does at debug=0 and 1, and
// takes about 1 ms of CPU per 1,000 goroutines; where a goroutine's stack
// is deeper than the 32 calls runtime.GoroutineProfile keeps, it reads
// pprof's profile instead, at its cost (docs/collector.md has the costs,
// measured). A part of the process it cannot read it leaves out, and
// connleak_collector_read_success{part} says so.
package collector
