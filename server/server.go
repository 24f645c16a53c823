package server

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/url"
	"os"
	"time"
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
	probe       *http.Client // reads server 1's /stats for the live page
	mux         *http.ServeMux
}

// Limits of every connection. They do not touch idle connections, which the
// demo is about: IdleTimeout stays SERVER_IDLE_TIMEOUT (0, none, by default).
const (
	// ShutdownTimeout is how long Serve waits for requests in flight once it
	// is told to stop.
	ShutdownTimeout = 5 * time.Second
	// ReadHeaderTimeout cuts off a client that trickles its request headers.
	ReadHeaderTimeout = 5 * time.Second
	// MaxHeaderBytes bounds a request's headers; past it net/http answers 431.
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
	if cfg.MaxHeld <= 0 {
		cfg.MaxHeld = DefaultMaxHeld()
	}
	s := &Server{
		cfg:         cfg,
		helloURL:    cfg.UpstreamURL.JoinPath("hello").String(),
		serverConns: newServerConns(),
		clientConns: newClientConns(cfg.MaxHeld),
		probe:       newProbe(),
		mux:         http.NewServeMux(),
	}
	s.clients = newClients(s.clientConns)
	s.metrics = s.newMetrics()
	s.routes()
	return s
}

// routes lists the whole API.
func (s *Server) routes() {
	s.mux.HandleFunc("/hello", s.hello)
	s.mux.HandleFunc("/forward", s.forward)
	s.mux.HandleFunc("/stats", s.stats)
	s.mux.HandleFunc("/reset", s.reset)
	s.mux.Handle("/metrics", s.metrics)
	s.mux.HandleFunc("/debug/pprof/", pprof.Index)
	s.mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	s.mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	s.mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	s.mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	s.mux.HandleFunc("/live", s.live)
	s.mux.HandleFunc("/{$}", s.page)
	s.mux.HandleFunc("/", notFound)
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if n := len(r.URL.RawQuery); n > MaxQueryBytes {
		writeError(w, http.StatusRequestURITooLong, "query string of %d bytes: at most %d are accepted", n, MaxQueryBytes)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// Serve answers requests on ln until ctx is done, then shuts down: it stops
// accepting, waits up to ShutdownTimeout for requests in flight, and returns.
// It logs one line when it starts.
//
// The accept loop runs on the caller's goroutine and the shutdown on a
// goroutine that exists only once ctx is done, so an idle instance holds as
// few goroutines as possible: every one shows in the counts users read.
func (s *Server) Serve(ctx context.Context, ln net.Listener, log *slog.Logger) error {
	hs := &http.Server{
		Handler:           s,
		IdleTimeout:       s.cfg.IdleTimeout,
		ReadHeaderTimeout: ReadHeaderTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
		ConnState:         s.serverConns.track,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	shutdown := make(chan error, 1)
	stop := context.AfterFunc(ctx, func() {
		sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
		defer cancel()
		err := hs.Shutdown(sctx)
		if err != nil {
			err = errors.Join(err, hs.Close())
		}
		s.clientConns.release()
		shutdown <- err
	})

	log.Info("connleak serving",
		"addr", ln.Addr().String(),
		"pid", os.Getpid(),
		"upstream", s.helloURL,
		"connectionClose", s.cfg.ConnectionClose,
		"serverIdleTimeout", s.cfg.IdleTimeout,
		"forwardDefaults", fmt.Sprintf("%+v", s.cfg.Forward),
		"maxHeld", s.cfg.MaxHeld)

	err := hs.Serve(ln)
	if !errors.Is(err, http.ErrServerClosed) {
		if stop() {
			return err // ctx is not done: the listener failed
		}
	}
	return <-shutdown
}
