package server

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/singleflight"

	"github.com/connleak/connleak/collector"
)

// Server is one connleak instance: /hello for the server 1 role, /forward
// for the server 2 role. Every instance has both; which role it plays depends
// only on who calls it.
type Server struct {
	cfg         Config
	helloURL    string // UpstreamURL + "/hello", fixed at start
	serverConns *serverConns
	clientConns *clientConns
	clients     *clients
	metrics     http.Handler
	peerReg     *prometheus.Registry // connleak's collector alone, read for /live's peers
	probe       *http.Client         // reads server 1's /stats for the live page
	mux         *http.ServeMux
	inflight    *inflight          // requests being answered, for the log line of a stop
	fullDumps   chan struct{}      // a semaphore: the debug=2 goroutine dumps being written
	cpuProfiles chan struct{}      // a semaphore of one: the CPU profile being taken
	traces      chan struct{}      // a semaphore of one: the trace being taken
	profiles    singleflight.Group // /stats callers share one goroutine profile
	// goroutineProfile is goroutineProfile; tests count its calls.
	goroutineProfile func() *bytes.Buffer
	// readHeaderTimeout is ReadHeaderTimeout; tests shorten it.
	readHeaderTimeout time.Duration
	// base is the parent of every request's context under Serve; cut
	// cancels it, with errStopping, once the grace period of a stop is over.
	base context.Context
	cut  context.CancelCauseFunc
}

// Limits of every connection. They do not touch idle connections, which the
// demo is about: IdleTimeout stays SERVER_IDLE_TIMEOUT (0, none, by default).
const (
	// ReadHeaderTimeout cuts off a client that trickles its request headers.
	ReadHeaderTimeout = 5 * time.Second
	// MaxHeaderBytes bounds a request's headers; net/http allows 4 KiB more
	// for the request line and its own slack, then answers 431 itself.
	MaxHeaderBytes = 16 << 10
	// MaxQueryBytes bounds a request's query string; past it, 414.
	MaxQueryBytes = 2 << 10
)

// New returns a server for cfg. Serve runs it; it is also an http.Handler.
// Empty fields of cfg take the defaults of ConfigFromEnv.
func New(cfg Config) *Server {
	if cfg.UpstreamURL == nil {
		cfg.UpstreamURL, _ = url.Parse(defaultUpstream)
	}
	d := DefaultOptions()
	cfg.Forward.Client = cmp.Or(cfg.Forward.Client, d.Client)
	cfg.Forward.Transport = cmp.Or(cfg.Forward.Transport, d.Transport)
	cfg.Forward.Body = cmp.Or(cfg.Forward.Body, d.Body)
	cfg.Forward.Proto = cmp.Or(cfg.Forward.Proto, d.Proto)
	cfg.Proto = cmp.Or(cfg.Proto, ServeH1)
	if cfg.UpstreamURL.Scheme == "https" && cfg.UpstreamTLS == nil {
		cfg.UpstreamTLS, _ = upstreamTLS(cfg.UpstreamURL, "") // without a CA file it cannot fail
	}
	if cfg.CallCeiling <= 0 {
		cfg.CallCeiling = DefaultCallCeiling
	}
	if cfg.MaxHeld <= 0 {
		cfg.MaxHeld = DefaultMaxHeld()
	}
	s := &Server{
		cfg:               cfg,
		helloURL:          cfg.UpstreamURL.JoinPath("hello").String(),
		serverConns:       newServerConns(),
		clientConns:       newClientConns(cfg.MaxHeld),
		probe:             newProbe(cfg.UpstreamTLS),
		mux:               http.NewServeMux(),
		inflight:          newInflight(),
		fullDumps:         make(chan struct{}, MaxFullDumps),
		cpuProfiles:       make(chan struct{}, 1),
		traces:            make(chan struct{}, 1),
		goroutineProfile:  goroutineProfile,
		readHeaderTimeout: ReadHeaderTimeout,
	}
	s.base, s.cut = context.WithCancelCause(context.Background())
	s.clients = newClients(s.clientConns, cfg.UpstreamTLS)
	s.metrics = s.newMetrics()
	s.peerReg = prometheus.NewRegistry()
	s.peerReg.MustRegister(collector.New(collector.MaxPeers(livePeers)))
	s.routes()
	return s
}

// routes lists the whole API.
func (s *Server) routes() {
	s.mux.HandleFunc("/hello", s.hello)
	s.mux.HandleFunc("/forward", s.forward)
	s.mux.HandleFunc("/stats", s.stats)
	s.mux.HandleFunc("/reset", s.reset)
	s.mux.HandleFunc("/metrics", s.serveMetrics)
	s.mux.HandleFunc("/debug/pprof/", s.debug)
	s.mux.HandleFunc("/debug/pprof", s.debug)
	s.mux.HandleFunc("/live", s.live)
	s.mux.HandleFunc("/{$}", s.page)
	s.mux.HandleFunc("/", notFound)
}

// ServeHTTP answers one request. What net/http hands to a handler is
// answered in JSON; the README's Limits and safety lists what net/http
// refuses itself, before any handler runs.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer s.inflight.start(r.URL.Path)()
	switch {
	case r.Method == http.MethodConnect:
		// The mux would answer with its own plain-text 404.
		w.Header().Set("Allow", "GET, HEAD, POST")
		writeError(w, http.StatusMethodNotAllowed, "method CONNECT is not allowed: connleak is no proxy; use GET, HEAD or POST on a path such as /hello")
	case r.Method == "PRI" && r.RequestURI == "*":
		writeError(w, http.StatusBadRequest, "HTTP/2 with prior knowledge is not served: this server speaks HTTP/1.1")
	case r.RequestURI == "*":
		writeError(w, http.StatusBadRequest, "request target * is not served: ask for a path such as /hello")
	case len(r.URL.RawQuery) > MaxQueryBytes:
		writeError(w, http.StatusRequestURITooLong, "query string of %d bytes: at most %d are accepted", len(r.URL.RawQuery), MaxQueryBytes)
	default:
		s.mux.ServeHTTP(w, r)
	}
}

// Serve answers requests on ln until ctx is done, then stops as stop.go
// says: a grace period for the requests in flight, then whatever is left is
// cut. A stop is not an error: Serve returns nil unless the listener failed.
// It logs one line when it starts, and one when it had to cut requests.
//
// The accept loop runs on the caller's goroutine and the shutdown on a
// goroutine that exists only once ctx is done, so an idle instance holds as
// few goroutines as possible: every one shows in the counts users read.
func (s *Server) Serve(ctx context.Context, ln net.Listener, log *slog.Logger) error {
	hs := &http.Server{
		Handler:           s,
		IdleTimeout:       s.cfg.IdleTimeout,
		ReadHeaderTimeout: s.readHeaderTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
		ConnState:         s.serverConns.track,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
		BaseContext:       func(net.Listener) context.Context { return s.base },
		// OPTIONS * reaches ServeHTTP, which answers in JSON, instead of
		// net/http's empty 200.
		DisableGeneralOptionsHandler: true,
	}
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	switch s.cfg.Proto {
	case ServeH2:
		protocols.SetHTTP2(true)
	case ServeH2C:
		protocols.SetUnencryptedHTTP2(true)
	}
	hs.Protocols = &protocols
	scheme := "http"
	if s.cfg.Proto == ServeH1TLS || s.cfg.Proto == ServeH2 {
		cert, err := serverCertificate()
		if err != nil {
			return fmt.Errorf("make the TLS certificate: %w", err)
		}
		hs.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, GetConfigForClient: stallHandshakes(ctx)}
		scheme = "https"
	}

	shutdown := make(chan error, 1)
	stop := context.AfterFunc(ctx, func() { shutdown <- s.shutdown(hs, log) })

	log.Info("connleak serving",
		"addr", ln.Addr().String(),
		"url", scheme+"://"+ln.Addr().String(),
		"proto", s.cfg.Proto,
		"pid", os.Getpid(),
		"upstream", s.helloURL,
		"connectionClose", s.cfg.ConnectionClose,
		"serverIdleTimeout", s.cfg.IdleTimeout,
		"forwardDefaults", fmt.Sprintf("%+v", s.cfg.Forward),
		"callCeiling", s.cfg.CallCeiling,
		"maxHeld", s.cfg.MaxHeld)

	var err error
	if hs.TLSConfig != nil {
		err = hs.ServeTLS(ln, "", "") // the certificate is in TLSConfig
	} else {
		err = hs.Serve(ln)
	}
	if !errors.Is(err, http.ErrServerClosed) {
		if stop() { // ctx is not done: the listener failed
			s.cut(err)
			closeErr := hs.Close()
			s.clientConns.release()
			return errors.Join(err, closeErr)
		}
	}
	return <-shutdown
}
