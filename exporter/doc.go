// Package exporter lets Prometheus probe the goroutine profiles of a
// fleet's services, on the pattern of blackbox_exporter: Prometheus scrapes
// /probe?target=URL, URL a service's pprof goroutine endpoint, and the
// exporter fetches that profile, classifies its goroutines with diagnose,
// and answers with what they hold as metrics: each side's HTTP
// connections by protocol and state, the calls and dials waiting, the
// count of each finding (0 where it is not named), the goroutines, and
// probe_success and probe_duration_seconds. It is the library under
// `connleak exporter`; docs/exporter.md has the metrics, the Prometheus
// configuration and alert rules of the repository's exporter/prometheus/ folder,
// and the walkthrough.
//
// An Exporter is safe to put in front of a network: it fetches only the
// URLs Config.Allow matches, as fetched, with the form a module adds
// (loopback ones by default), answering 403 to the others without fetching
// them; credentials and TLS settings come from its Modules (LoadConfig),
// never from a probe, and are never echoed; a module's credentials go only
// to the targets of its Scope, decided from the parts of the parsed URL
// (never its query, and a target with a fragment is refused); it follows no
// redirect, reads at most Config.MaxBytes of a profile, and ends a probe
// within Prometheus's scrape timeout. The files an operator names are read
// only if regular, and bounded; a configuration's errors quote none of it. Probes of one target
// at once share one fetch, and each fetch is one connection, closed after,
// so the exporter leaves nothing open in the services it counts.
//
// Each probe builds a fresh registry, whose labels take fixed values only:
// nothing read from a profile becomes a label.
package exporter
