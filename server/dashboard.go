package server

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/connleak/connleak/collector"
	"github.com/connleak/connleak/internal/lab/scenario"
)

//go:embed dashboard.html
var dashboardHTML string

var dashboardTemplate = template.Must(template.New("dashboard").Parse(dashboardHTML))

// page answers GET /: the live page. It polls /live once a second while it
// is open; with no page open, nothing samples and no connection to server 1
// exists for it.
func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	if !allowNoQuery(w, r, http.MethodGet) {
		return
	}
	// The presets: the scenarios this pair can run as it is, by a query
	// alone, without another setting of either server, one request at a time.
	type preset struct{ Name, Explain string }
	var presets []preset
	queries := map[string]string{}
	for _, sc := range scenario.All() {
		if len(sc.Env1) == 0 && len(sc.Env2) == 0 && sc.Concurrency <= 1 {
			presets = append(presets, preset{sc.Name, sc.Explain})
			queries[sc.Name] = sc.Query
		}
	}
	var b bytes.Buffer
	err := dashboardTemplate.Execute(&b, struct {
		Upstream      string
		Defaults      Options
		Bodies        []string
		Presets       []preset
		PresetQueries map[string]string
	}{s.helloURL, s.cfg.Forward, []string{BodyRead, BodyLeaveOpen, BodyClose, BodyDrainClose}, presets, queries})
	if err != nil {
		writeError(w, http.StatusInternalServerError, "render the page: %v", err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(b.Bytes()) // an error means the client went away: nothing to do
}

// LivePoint is one instance's numbers on the live page.
type LivePoint struct {
	GoRoutines int `json:"goRoutines"`
	Held       int `json:"held"` // connections /forward holds to server 1
	Open       int `json:"open"` // connections this instance accepted and has open
	// Diagnosis is what connleak diagnose names on the instance's goroutine
	// profile, as in /stats.
	Diagnosis []string `json:"diagnosis"`
	// Peers are the instance's outbound TCP connections by remote address,
	// as its /metrics gives them (connleak's collector:
	// connleak_tcp_connections{side="client"}), the most first; none where
	// the system lists no sockets (Linux does).
	Peers []Peer `json:"peers,omitempty"`
}

// Peer is one remote address and the connections to it.
type Peer struct {
	Addr        string `json:"addr"`
	Connections int    `json:"connections"`
}

// liveReply is /live's answer: this instance, and its upstream where it has
// one other than itself.
type liveReply struct {
	Self          LivePoint  `json:"self"`
	Upstream      *LivePoint `json:"upstream"`
	UpstreamError string     `json:"upstreamError,omitempty"`
}

// upstreamTimeout bounds /live's call to server 1's /stats.
const upstreamTimeout = 2 * time.Second

// live answers GET /live with this instance's counts and its upstream's,
// read from UPSTREAM_URL/stats on a connection closed right after.
func (s *Server) live(w http.ResponseWriter, r *http.Request) {
	if !allowNoQuery(w, r, http.MethodGet) {
		return
	}
	reply := liveReply{Self: LivePoint{
		GoRoutines: runtime.NumGoroutine(),
		Held:       s.clientConns.held(),
		Open:       s.serverConns.stats().Open,
		Diagnosis:  s.profile().diagnosis,
		Peers:      s.peers(),
	}}
	up, err := s.upstreamStats(r.Context())
	switch {
	case err != nil:
		reply.UpstreamError = err.Error()
	case up.PID != os.Getpid(): // UPSTREAM_URL pointing at this instance is no upstream
		reply.Upstream = &LivePoint{GoRoutines: up.GoRoutines, Held: up.Client.Held, Open: up.Server.Open, Diagnosis: up.Diagnosis}
	}
	writeJSON(w, http.StatusOK, reply)
}

// newProbe returns the client that reads server 1's /stats for the live
// page. Keep-alives are off, so that watching holds no connection to server
// 1 between samples.
func newProbe(upstreamTLS *tls.Config) *http.Client {
	return &http.Client{Transport: &http.Transport{DisableKeepAlives: true, TLSClientConfig: upstreamTLS}, Timeout: upstreamTimeout}
}

func (s *Server) upstreamStats(ctx context.Context) (Stats, error) {
	var st Stats
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.cfg.UpstreamURL.JoinPath("stats").String(), nil)
	if err != nil {
		return st, err
	}
	resp, err := s.probe.Do(req)
	if err != nil {
		return st, fmt.Errorf("server 1's /stats: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return st, fmt.Errorf("server 1's /stats answered %s", resp.Status)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, MaxBody)).Decode(&st); err != nil {
		return st, fmt.Errorf("server 1's /stats: %v", err)
	}
	return st, nil
}

// livePeers is how many peers /live gives, the most connected to.
const livePeers = 5

// peers reads the instance's outbound connections by peer from a
// collector of its own, as /metrics gives them.
func (s *Server) peers() []Peer {
	fams, _ := s.peerReg.Gather() // a failed read leaves the series out: no peers
	var ps []Peer
	for _, f := range fams {
		if f.GetName() != collector.TCPConnections {
			continue
		}
		for _, m := range f.Metric {
			labels := map[string]string{}
			for _, l := range m.Label {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["side"] == "client" {
				ps = append(ps, Peer{labels["peer"], int(m.GetGauge().GetValue())})
			}
		}
	}
	slices.SortFunc(ps, func(a, b Peer) int { return cmp.Or(b.Connections-a.Connections, strings.Compare(a.Addr, b.Addr)) })
	return ps
}
