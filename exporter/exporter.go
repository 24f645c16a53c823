package exporter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"regexp"
	"regexp/syntax"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// DefaultAllow is the targets an exporter probes unless told otherwise:
// goroutine profiles on loopback, in any of the three forms.
const DefaultAllow = `https?://(localhost|127\.0\.0\.1|\[::1\])(:[0-9]+)?/debug/pprof/goroutine(\?debug=[012])?`

// Defaults of Config.
const (
	// DefaultTimeout is the longest a probe takes: Prometheus's own
	// default scrape_timeout.
	DefaultTimeout = 10 * time.Second
	// DefaultMaxBytes bounds what a target may send for one profile:
	// runtime/pprof's own bound on a debug=2 dump, which 18,000 goroutines
	// reach with GODEBUG=tracebackancestors=5 (13 MB without).
	DefaultMaxBytes = 64 << 20
	// TimeoutOffset is what a probe leaves of Prometheus's scrape timeout
	// (X-Prometheus-Scrape-Timeout-Seconds) for its reply to arrive.
	TimeoutOffset = 500 * time.Millisecond
)

// Config is an exporter's settings. The zero value probes loopback targets
// with the built-in modules and the defaults.
type Config struct {
	// Allow is matched against the whole URL a probe fetches: its target,
	// with its module's form (?debug=N) added where the target names none.
	// A target it does not match is refused, never fetched. DefaultAllow
	// if "".
	Allow string
	// Modules are the modules probes may name (LoadConfig) besides the
	// built-in ones, DefaultModule and WaitsModule, which they may
	// redefine.
	Modules map[string]Module
	// Timeout is the longest a probe takes, DefaultTimeout if 0; where
	// Prometheus says its scrape's timeout is shorter, that less
	// TimeoutOffset.
	Timeout time.Duration
	// MaxBytes bounds one profile: DefaultMaxBytes if 0.
	MaxBytes int64
	// Log gets one line per failed probe, and the serving line: nothing if
	// nil. No line holds a password or a token.
	Log *slog.Logger
}

// Exporter answers Prometheus's probes of goroutine profiles, as
// blackbox_exporter answers its probes of endpoints: GET
// /probe?target=URL[&module=NAME] fetches the target's profile, diagnoses
// it, and answers with its metrics; /metrics has the exporter's own.
type Exporter struct {
	allow    *regexp.Regexp
	modules  map[string]loaded
	clients  map[string]*http.Client // by module
	timeout  time.Duration
	maxBytes int64
	log      *slog.Logger

	mu       sync.Mutex         // guards flights, and each flight's waiting
	flights  map[string]*flight // the fetches under way, by module and target
	fetching sync.WaitGroup     // their goroutines
	slots    chan struct{}      // a token per fetch under way, maxFetches at most

	probes  *prometheus.CounterVec
	fetched prometheus.Counter
	waiting prometheus.Gauge
	mux     *http.ServeMux
}

// loaded is a module ready for probes: its allow and its scope compiled.
type loaded struct {
	Module
	allow *regexp.Regexp // nil for none
	scope *scope         // nil for none
}

// maxFetches bounds the fetches under way at once, whatever the probes: a
// fetch holds a connection to its target and reads its profile as it comes,
// in memory that does not grow with the profile. Probes beyond it wait for
// a slot, within their timeout.
const maxFetches = 64

// The results of probes, the label of connleak_exporter_probes_total.
const (
	resultSuccess    = "success"
	resultFailure    = "failure"     // the target could not be fetched or read
	resultForbidden  = "forbidden"   // the target does not match Allow
	resultBadRequest = "bad_request" // no target, a bad one, an unknown module or parameter
	resultCanceled   = "canceled"    // the probe's client went away first
)

// New returns an exporter with cfg's settings, or an error that names the
// one that is wrong.
func New(cfg Config) (*Exporter, error) {
	cfg, allow, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	e := &Exporter{
		allow: allow, modules: map[string]loaded{}, clients: map[string]*http.Client{},
		timeout: cfg.Timeout, maxBytes: cfg.MaxBytes, log: cfg.Log,
		flights: map[string]*flight{}, slots: make(chan struct{}, maxFetches),
		probes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "connleak_exporter_probes_total",
			Help: "Probes answered, by result: success, failure (the target could not be fetched or read), forbidden (not allowed), bad_request, canceled (its client went away first).",
		}, []string{"result"}),
		fetched: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "connleak_exporter_fetches_total",
			Help: "Goroutine profiles fetched: fewer than probes where probes of the same target at once shared one.",
		}),
		waiting: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "connleak_exporter_probes_waiting",
			Help: "Probes waiting for a profile to be fetched and read, their own or one they share.",
		}),
	}
	if err := e.loadModules(cfg.Modules); err != nil {
		return nil, err
	}
	for _, r := range []string{resultSuccess, resultFailure, resultForbidden, resultBadRequest, resultCanceled} {
		e.probes.WithLabelValues(r)
	}
	e.mux = e.routes()
	return e, nil
}

// withDefaults is cfg with its zero values set to the defaults, and its
// allow list compiled, or what is wrong with it.
func (cfg Config) withDefaults() (Config, *regexp.Regexp, error) {
	if cfg.Allow == "" {
		cfg.Allow = DefaultAllow
	}
	allow, err := compileAllow(cfg.Allow)
	if err != nil {
		return cfg, nil, err
	}
	switch {
	case cfg.Timeout == 0:
		cfg.Timeout = DefaultTimeout
	case cfg.Timeout < 0:
		return cfg, nil, fmt.Errorf("timeout %v: accepts a duration above 0", cfg.Timeout)
	}
	switch {
	case cfg.MaxBytes == 0:
		cfg.MaxBytes = DefaultMaxBytes
	case cfg.MaxBytes < 0:
		return cfg, nil, fmt.Errorf("max bytes %d: accepts a count above 0", cfg.MaxBytes)
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return cfg, allow, nil
}

// loadModules loads the built-in modules and those of the configuration,
// which replace built-in ones of the same name, each with its client.
func (e *Exporter) loadModules(own map[string]Module) error {
	modules := builtinModules()
	maps.Copy(modules, own)
	for _, name := range slices.Sorted(maps.Keys(modules)) { // the same error first, run after run
		m := modules[name]
		l, err := m.load(context.Background())
		if err != nil {
			return fmt.Errorf("module %q: %w", name, err)
		}
		if e.clients[name], err = client(m); err != nil {
			return fmt.Errorf("module %q: %w", name, err)
		}
		e.modules[name] = l
	}
	return nil
}

// routes is the exporter's pages: /probe, /metrics (the exporter's own)
// and the index, and a clear error for any other.
func (e *Exporter) routes() *http.ServeMux {
	running := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "connleak_exporter_fetches_running",
		Help: "Fetches under way, each holding one of the exporter's 64 slots from when it starts until its profile is read or its last probe ends.",
	}, func() float64 { return float64(len(e.slots)) })
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), e.probes, e.fetched, e.waiting, running)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /probe", e.serveProbe)
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /{$}", e.serveIndex)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/probe" || r.URL.Path == "/metrics" || r.URL.Path == "/" {
			w.Header().Set("Allow", "GET, HEAD")
			failf(w, http.StatusMethodNotAllowed, "method %s: %s accepts GET and HEAD", r.Method, r.URL.Path)
			return
		}
		failf(w, http.StatusNotFound, "no page %s: the exporter answers /probe?target=URL, /metrics and /", r.URL.Path)
	})
	return mux
}

// compileAllow is -allow's expression, anchored, or an error that quotes
// it as it was given: not a regular expression, or one that admits no URL
// fetched.
func compileAllow(expr string) (*regexp.Regexp, error) {
	if _, err := syntax.Parse(expr, syntax.Perl); err != nil {
		return nil, fmt.Errorf("allow %q: not a regular expression: %s: accepts Go's (RE2) syntax", expr, err.(*syntax.Error).Code)
	}
	allow, err := regexp.Compile(`^(?:` + expr + `)$`)
	if err != nil {
		return nil, fmt.Errorf("allow %q: %w", expr, err)
	}
	if !admitsQuery(expr) {
		return nil, fmt.Errorf("allow %q: %s", expr, noQuery)
	}
	return allow, nil
}

// ModuleNames lists the modules probes may name, sorted.
func (e *Exporter) ModuleNames() []string { return slices.Sorted(maps.Keys(e.modules)) }

// ServeHTTP answers /probe, /metrics and /.
func (e *Exporter) ServeHTTP(w http.ResponseWriter, r *http.Request) { e.mux.ServeHTTP(w, r) }

// Serve answers on ln until ctx is done, then gives the probes under way
// the exporter's timeout and a second more to finish, cuts what is left,
// waits for the fetches to end, and returns nil (a stop is not an error);
// or the listener's error. It logs one line when it starts, its address
// and URL, one if it had to cut probes, and one when it has stopped.
func (e *Exporter) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           e,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(e.log.Handler(), slog.LevelDebug),
	}
	grace := e.timeout + time.Second
	shutdown := make(chan error, 1)
	stop := context.AfterFunc(ctx, func() {
		sctx, cancel := context.WithTimeout(context.Background(), grace)
		defer cancel()
		shutdown <- hs.Shutdown(sctx)
	})
	e.log.Info("connleak exporter serving", "addr", ln.Addr().String(), "url", "http://"+ln.Addr().String(), "allow", e.allow.String(), "modules", e.ModuleNames())
	err := hs.Serve(ln)
	if !errors.Is(err, http.ErrServerClosed) && stop() {
		err = errors.Join(err, hs.Close()) // the listener failed
		e.fetching.Wait()
		return err
	}
	if err := <-shutdown; err != nil {
		// Closing the connections ends their probes, and a fetch ends
		// once no probe waits for it.
		e.log.Warn("probes cut at stop", "after", grace, "err", err)
		hs.Close()
	}
	e.fetching.Wait()
	e.log.Info("connleak exporter stopped")
	return nil
}

// serveIndex names the endpoints.
func (e *Exporter) serveIndex(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "connleak exporter\n\n/probe?target=URL[&module=NAME]  the HTTP connections of the goroutine profile at URL, such as http://localhost:6060/debug/pprof/goroutine, as metrics\n/metrics                         the exporter's own metrics\n\nmodules: %v\nallowed targets: %s\n", e.ModuleNames(), e.allow)
}

// failf answers an error in one plain-text line.
func failf(w http.ResponseWriter, code int, format string, args ...any) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	fmt.Fprintf(w, "connleak exporter: "+format+"\n", args...)
}
