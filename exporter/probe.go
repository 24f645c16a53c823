package exporter

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
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
	p, code, err := e.parseProbe(r)
	if err != nil {
		result := resultBadRequest
		if code == http.StatusForbidden {
			result = resultForbidden
		}
		e.probes.WithLabelValues(result).Inc()
		failf(w, code, "%v", err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), p.timeout)
	defer cancel()
	rd, err := e.read(ctx, p.module, p.fetch)
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
		e.log.Warn("probe failed", "target", p.target.String(), "module", p.module, "err", err)
	}
	promhttp.HandlerFor(probeRegistry(rd, time.Since(start).Seconds()), promhttp.HandlerOpts{}).ServeHTTP(w, r)
}

// probeRequest is a probe's parameters, read and allowed.
type probeRequest struct {
	target  *url.URL // as given: what the log names
	fetch   *url.URL // what is fetched: target, with its module's form added where it names none
	module  string
	timeout time.Duration
}

// parseProbe reads a probe's parameters: the target, without a fragment,
// and with a host, a port and a path that say where it goes one way only
// (canonicalize); the module, known, and whose scope has the target's
// scheme, host, port and path; the URL fetched, the target in the form it
// or the module asks for, which -allow and the module's allow match; the
// timeout, Prometheus's less TimeoutOffset where that is shorter than the
// exporter's. An error comes with the status to answer it with.
func (e *Exporter) parseProbe(r *http.Request) (p probeRequest, code int, err error) {
	bad := func(format string, args ...any) (probeRequest, int, error) {
		return probeRequest{}, http.StatusBadRequest, fmt.Errorf(format, args...)
	}
	forbidden := func(format string, args ...any) (probeRequest, int, error) {
		return probeRequest{}, http.StatusForbidden, fmt.Errorf(format, args...)
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
	module := cmp.Or(q.Get("module"), DefaultModule)
	m, ok := e.modules[module]
	if !ok {
		return bad("unknown module %q: accepts %s", module, strings.Join(e.ModuleNames(), ", "))
	}
	target, err := parseTarget(raw)
	if err != nil {
		return bad("%v", err)
	}
	where, err := canonicalize(target)
	if err != nil {
		return bad("target %q: %v", raw, err)
	}
	fetch := fetchURL(target, m.debug())
	if err := admits(e.allow, "-allow", target, fetch, module); err != nil {
		return forbidden("target %q is not allowed: %v", raw, err)
	}
	if err := admits(m.allow, "the module's allow", target, fetch, module); err != nil {
		return forbidden("target %q is not allowed with module %q: %v", raw, module, err)
	}
	if m.scope != nil {
		if err := m.scope.admits(where); err != nil {
			return forbidden("target %q is not allowed with module %q: its %v", raw, module, err)
		}
	}
	timeout, err := e.probeTimeout(r.Header.Get(scrapeTimeoutHeader))
	if err != nil {
		return bad("%v", err)
	}
	return probeRequest{target: target, fetch: fetch, module: module, timeout: timeout}, 0, nil
}

// parseTarget is the probe's target, an http or https URL with a host, and
// neither credentials nor a fragment, or what is wrong with it.
func parseTarget(raw string) (*url.URL, error) {
	target, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, fmt.Errorf("target %q: not a URL: %v", raw, err.(*url.Error).Err)
	case target.Scheme != "http" && target.Scheme != "https":
		return nil, fmt.Errorf("target %q: accepts an http:// or https:// URL", raw)
	case target.Host == "":
		return nil, fmt.Errorf("target %q: no host", raw)
	case target.User != nil:
		return nil, fmt.Errorf("target %q: credentials in a target are refused: put them in a module of the -config file", target.Redacted())
	case strings.Contains(raw, "#"):
		// Never sent, yet a pattern of the whole URL would match it.
		return nil, fmt.Errorf("target %q: a fragment (#...) is refused: accepts a URL without", raw)
	}
	return target, nil
}

// probeTimeout is how long a probe may take: the exporter's timeout, or
// less where Prometheus's scrape timeout, the header's value h, is shorter.
func (e *Exporter) probeTimeout(h string) (time.Duration, error) {
	if h == "" {
		return e.timeout, nil
	}
	s, err := strconv.ParseFloat(h, 64)
	if err != nil || math.IsNaN(s) || s <= 0 {
		return 0, fmt.Errorf("header %s %q: accepts seconds above 0", scrapeTimeoutHeader, h)
	}
	scrape := time.Duration(min(s, 1e6) * float64(time.Second))
	return min(e.timeout, max(scrape-TimeoutOffset, scrape/2)), nil
}

// fetchURL is target in the form it asks for, or else debug: the URL
// fetched. The form is added to the query as it is: re-encoding it would
// drop what url.ParseQuery cannot read, and fetch another URL than the one
// -allow matched.
func fetchURL(target *url.URL, debug int) *url.URL {
	u := *target
	if !u.Query().Has("debug") {
		u.RawQuery = strings.TrimPrefix(u.RawQuery+"&debug="+strconv.Itoa(debug), "&")
	}
	return &u
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

// admits is nil if re, -allow or a module's allow (nil for none), matches
// the URL fetched; else an error that says what it does not match: the
// target, or the form module added to it.
func admits(re *regexp.Regexp, name string, target, fetch *url.URL, module string) error {
	switch {
	case re == nil || re.MatchString(fetch.String()):
		return nil
	case re.MatchString(target.String()):
		return fmt.Errorf("the URL fetched, %q (module %q's form added), does not match %s %s", fetch, module, name, re)
	}
	return fmt.Errorf("it does not match %s %s", name, re)
}
