package exporter

import (
	"context"
	"errors"
	"fmt"
	"math"
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
	rd, err := e.read(ctx, module, target)
	switch {
	case err == nil:
		e.probes.WithLabelValues(resultSuccess).Inc()
	case errors.Is(r.Context().Err(), context.Canceled):
		// Its client went away (Prometheus gave up, or stopped): no one
		// reads the answer, and the target is not to blame.
		e.probes.WithLabelValues(resultCanceled).Inc()
		return
	default:
		e.probes.WithLabelValues(resultFailure).Inc()
		e.log.Warn("probe failed", "target", target.String(), "module", module, "err", err)
	}
	promhttp.HandlerFor(probeRegistry(rd, time.Since(start).Seconds()), promhttp.HandlerOpts{}).ServeHTTP(w, r)
}

// parseProbe reads a probe's parameters: the target, allowed, without a
// fragment, and with a host, a port and a path that say where it goes one
// way only (canonicalize); the module, known, whose own allow the target
// matches, and whose scope has the target's scheme, host, port and path;
// the timeout, Prometheus's
// less TimeoutOffset where that is shorter than the exporter's. An error
// comes with the status to answer it with.
func (e *Exporter) parseProbe(r *http.Request) (target *url.URL, module string, timeout time.Duration, code int, err error) {
	bad := func(format string, args ...any) (*url.URL, string, time.Duration, int, error) {
		return nil, "", 0, http.StatusBadRequest, fmt.Errorf(format, args...)
	}
	forbidden := func(format string, args ...any) (*url.URL, string, time.Duration, int, error) {
		return nil, "", 0, http.StatusForbidden, fmt.Errorf(format, args...)
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
	m, ok := e.modules[module]
	if !ok {
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
	case strings.Contains(raw, "#"):
		// Never sent, yet a pattern of the whole URL would match it.
		return bad("target %q: a fragment (#...) is refused: accepts a URL without", raw)
	}
	where, err := canonicalize(target)
	if err != nil {
		return bad("target %q: %v", raw, err)
	}
	switch {
	case !e.allow.MatchString(raw):
		return forbidden("target %q is not allowed: it does not match -allow %s", raw, e.allow)
	case m.allow != nil && !m.allow.MatchString(raw):
		return forbidden("target %q is not allowed with module %q: it does not match the module's allow %s", raw, module, m.allow)
	case m.scope != nil:
		if err := m.scope.admits(where); err != nil {
			return forbidden("target %q is not allowed with module %q: its %v", raw, module, err)
		}
	}
	timeout = e.timeout
	if h := r.Header.Get(scrapeTimeoutHeader); h != "" {
		s, err := strconv.ParseFloat(h, 64)
		if err != nil || math.IsNaN(s) || s <= 0 {
			return bad("header %s %q: accepts seconds above 0", scrapeTimeoutHeader, h)
		}
		scrape := time.Duration(min(s, 1e6) * float64(time.Second))
		timeout = min(e.timeout, max(scrape-TimeoutOffset, scrape/2))
	}
	return target, module, timeout, 0, nil
}

// flight is one fetch of a target's profile, which every probe of the same
// module and target that comes while it runs waits for.
type flight struct {
	done    chan struct{} // closed once rd and err are set
	rd      *reading
	err     error
	waiting int                // probes waiting; guarded by Exporter.mu
	cancel  context.CancelFunc // ends the fetch
}

// read is the diagnosis of target's profile under module, within ctx.
// Probes of the same module and target at once share one fetch: it runs
// for as long as one of them waits, and at most the exporter's timeout, and
// ends as soon as none does; each probe waits for it until its own ctx is
// done. At most maxFetches run at once.
func (e *Exporter) read(ctx context.Context, module string, target *url.URL) (*reading, error) {
	key := module + "\n" + target.String()
	e.mu.Lock()
	f := e.flights[key]
	if f == nil {
		fctx, cancel := context.WithTimeout(context.Background(), e.timeout)
		f = &flight{done: make(chan struct{}), cancel: cancel}
		e.flights[key] = f
		e.fetched.Inc()
		e.fetching.Go(func() {
			defer cancel()
			rd, err := e.fetchOne(fctx, module, target)
			e.mu.Lock()
			if e.flights[key] == f {
				delete(e.flights, key)
			}
			e.mu.Unlock()
			f.rd, f.err = &rd, err
			close(f.done)
		})
	}
	f.waiting++
	e.mu.Unlock()
	e.waiting.Inc()
	defer func() {
		e.waiting.Dec()
		e.mu.Lock()
		defer e.mu.Unlock()
		if f.waiting--; f.waiting == 0 {
			f.cancel() // done already, or no one waits for it any more
			if e.flights[key] == f {
				delete(e.flights, key) // the next probe starts afresh
			}
		}
	}()
	select {
	case <-f.done:
		if f.err != nil {
			return nil, f.err
		}
		return f.rd, nil
	case <-ctx.Done():
		return nil, timedOut(ctx, ctx.Err())
	}
}

// fetchOne fetches once a slot among maxFetches is free.
func (e *Exporter) fetchOne(ctx context.Context, module string, target *url.URL) (reading, error) {
	select {
	case e.slots <- struct{}{}:
		defer func() { <-e.slots }()
	case <-ctx.Done():
		return reading{}, fmt.Errorf("%d fetches under way already: %w", maxFetches, timedOut(ctx, ctx.Err()))
	}
	return fetch(ctx, e.clients[module], e.modules[module].Module, target, e.maxBytes)
}
