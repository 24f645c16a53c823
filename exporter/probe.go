package exporter

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// scrapeTimeoutHeader is where Prometheus says how long it waits for a
// scrape, in seconds.
const scrapeTimeoutHeader = "X-Prometheus-Scrape-Timeout-Seconds"

// serveProbe answers /probe?target=URL[&module=NAME]: the target's profile,
// fetched once for all the probes of the same module and target under way,
// diagnosed, as metrics. A bad request is answered 400, a target Allow
// does not match 403, both in a line that says what is accepted; a target
// that cannot be fetched or read is a probe that failed: 200, with
// probe_success 0, and a line in the log.
func (e *Exporter) serveProbe(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	target, module, timeout, code, err := e.parseProbe(r)
	if err != nil {
		result := resultBadRequest
		if code == http.StatusForbidden {
			result = resultForbidden
		}
		e.probes.WithLabelValues(result).Inc()
		failf(w, code, "%v", err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	rd, err := e.read(ctx, module, target, timeout)
	if err != nil {
		e.probes.WithLabelValues(resultFailure).Inc()
		e.log.Warn("probe failed", "target", target.String(), "module", module, "err", err)
		rd = nil
	} else {
		e.probes.WithLabelValues(resultSuccess).Inc()
	}
	promhttp.HandlerFor(probeRegistry(rd, time.Since(start).Seconds()), promhttp.HandlerOpts{}).ServeHTTP(w, r)
}

// parseProbe reads a probe's parameters: the target, allowed; the module,
// known; the timeout, Prometheus's less TimeoutOffset, or the exporter's.
// An error comes with the status to answer it with.
func (e *Exporter) parseProbe(r *http.Request) (target *url.URL, module string, timeout time.Duration, code int, err error) {
	bad := func(format string, args ...any) (*url.URL, string, time.Duration, int, error) {
		return nil, "", 0, http.StatusBadRequest, fmt.Errorf(format, args...)
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return bad("query %q: %v", r.URL.RawQuery, err)
	}
	for name, values := range q {
		if name != "target" && name != "module" {
			return bad("unknown parameter %q: /probe accepts target and module", name)
		}
		if len(values) > 1 {
			return bad("parameter %s given %d times: accepts one", name, len(values))
		}
	}
	raw := q.Get("target")
	if raw == "" {
		return bad("no target: ask /probe?target=URL, URL a goroutine profile such as http://localhost:6060/debug/pprof/goroutine")
	}
	module = q.Get("module")
	if module == "" {
		module = DefaultModule
	}
	if _, ok := e.modules[module]; !ok {
		return bad("unknown module %q: accepts %s", module, strings.Join(e.ModuleNames(), ", "))
	}
	target, err = url.Parse(raw)
	switch {
	case err != nil:
		return bad("target %q: not a URL: %v", raw, err.(*url.Error).Err)
	case target.Scheme != "http" && target.Scheme != "https":
		return bad("target %q: accepts an http:// or https:// URL", raw)
	case target.Host == "":
		return bad("target %q: no host", raw)
	case target.User != nil:
		return bad("target %q: credentials in a target are refused: put them in a module of the -config file", target.Redacted())
	case !e.allow.MatchString(raw):
		return nil, "", 0, http.StatusForbidden, fmt.Errorf("target %q is not allowed: it does not match -allow %s", raw, e.allow)
	}
	timeout = e.timeout
	if h := r.Header.Get(scrapeTimeoutHeader); h != "" {
		s, err := strconv.ParseFloat(h, 64)
		if err != nil || s <= 0 || s > 1e6 {
			return bad("header %s %q: accepts seconds above 0", scrapeTimeoutHeader, h)
		}
		scrape := time.Duration(s * float64(time.Second))
		timeout = max(scrape-TimeoutOffset, scrape/2)
	}
	return target, module, timeout, 0, nil
}

// read is the diagnosis of target's profile under module. Probes of the
// same module and target at once share one fetch, which runs to the
// timeout of the probe that started it, whatever becomes of that probe;
// each waits for it until its own ctx is done.
func (e *Exporter) read(ctx context.Context, module string, target *url.URL, timeout time.Duration) (*reading, error) {
	ch := e.fetches.DoChan(module+"\n"+target.String(), func() (any, error) {
		e.fetched.Inc()
		fctx, cancel := context.WithTimeout(e.fetching, timeout)
		defer cancel()
		rd, err := fetch(fctx, e.clients[module], e.modules[module], target, e.maxBytes)
		return &rd, err
	})
	e.inFlight.Inc() // once DoChan has joined this probe to its fetch
	defer e.inFlight.Dec()
	select {
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.(*reading), nil
	case <-ctx.Done():
		return nil, timedOut(ctx, ctx.Err())
	}
}
