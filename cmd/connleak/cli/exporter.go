package cli

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"

	"github.com/connleak/connleak/exporter"
)

// runExporter serves the exporter until ctx is done.
func runExporter(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("connleak exporter", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	listen := fs.String("listen", "localhost:9465", "the `address` to serve /probe and /metrics on (:9465 for every interface)")
	allow := fs.String("allow", exporter.DefaultAllow, "the targets to probe: a regular `expression` matched against the whole URL fetched, the target with its module's ?debug=N where it names none; the others are answered 403, never fetched")
	config := fs.String("config", "", "a YAML `file` of modules: the form to ask for, credentials and TLS settings of targets (docs/exporter.md)")
	timeout := fs.Duration("timeout", exporter.DefaultTimeout, "the longest a probe takes (`duration`); Prometheus's scrape timeout less 0.5s where that is shorter (X-Prometheus-Scrape-Timeout-Seconds)")
	maxBytes := fs.Int64("max-bytes", exporter.DefaultMaxBytes, "the most `bytes` a target may send for one profile")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: connleak exporter [-listen ADDR] [-allow REGEXP] [-config FILE] [-timeout 10s] [-max-bytes N]\n\nAnswers Prometheus's probes, GET /probe?target=URL[&module=NAME], with the metrics of the\nHTTP connections in the goroutine profile at URL; /metrics has the exporter's own.\nSee docs/exporter.md.\n\nflags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return helpIsSuccess(err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("exporter takes no arguments, got %q", fs.Args())
	}
	cfg := exporter.Config{Allow: *allow, Timeout: *timeout, MaxBytes: *maxBytes, Log: slog.New(slog.NewTextHandler(e.stderr, nil))}
	if *timeout <= 0 {
		return fmt.Errorf("-timeout %v: accepts a duration above 0", *timeout)
	}
	if *maxBytes <= 0 {
		return fmt.Errorf("-max-bytes %d: accepts a count above 0", *maxBytes)
	}
	if *config != "" {
		modules, err := exporter.LoadConfig(ctx, *config)
		if err != nil {
			return err // it names the file: config FILE: ...
		}
		cfg.Modules = modules
	}
	x, err := exporter.New(cfg)
	if err != nil {
		return fmt.Errorf("exporter: %w", err)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("-listen %q: %w", *listen, err)
	}
	return x.Serve(ctx, ln)
}
