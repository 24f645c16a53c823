package demo

import (
	"fmt"
	"slices"
	"strings"
)

// Verdict is what a scenario does to the goroutine counts.
type Verdict string

// The verdicts.
const (
	Leaks    Verdict = "LEAKS"    // grows with every request and stays after the idle wait
	Recovers Verdict = "RECOVERS" // grows with the requests, then goes back to baseline
	Flat     Verdict = "FLAT"     // does not grow with the requests
)

// Scenario is one row of the physics table: a /forward configuration, what
// server 1 is started with, and what it must do.
type Scenario struct {
	Name    string
	Seed    string   // the seed document it comes from
	Query   string   // the /forward query
	Env1    []string // server 1's environment
	Want    Verdict
	Explain string
}

// Scenarios is the one catalogue of scenarios, in the order of the physics
// table. Everything that lists scenarios reads it.
var Scenarios = []Scenario{
	{"leak", "000, 001", "client=new&transport=custom", nil, Leaks,
		"A new Resty client per request with a bare &http.Transport{}: IdleConnTimeout 0 keeps every idle connection for ever. Server 2 keeps a readLoop and a writeLoop per request, server 1 a conn.serve."},
	{"resty-default", "000", "client=new&transport=resty", nil, Leaks,
		"A new client per request with Resty's own Transport: its IdleConnTimeout is 90s, so every connection stays 90 seconds. Not a fix: under steady traffic the last 90 seconds of connections are always held."},
	{"idle-timeout", "000, 001", "client=new&idleConnTimeout=1s", nil, Recovers,
		"IdleConnTimeout: 1s on the Transport (seed fix 2). Connections still pile up while requests come, then close one second after their last use."},
	{"no-keepalive", "001", "client=new&disableKeepAlives=true", nil, Flat,
		"DisableKeepAlives: true (seed fix 1): each connection is closed after its request. Nothing is held; every request dials."},
	{"conn-close", "000, 001", "client=new&connClose=true", nil, Flat,
		"Server 1 answers Connection: close (seed fix 3), so both sides close after the reply. It protects server 1 from clients it cannot fix."},
	{"server-idle-timeout", "none", "client=new", []string{"SERVER_IDLE_TIMEOUT=1s"}, Recovers,
		"http.Server.IdleTimeout: 1s on server 1: the server closes idle connections, and the client's readLoop sees the close and exits. Every Go server should set it."},
	{"shared-client", "003", "client=shared", nil, Flat,
		"One client, reused: one pooled connection for every request. The fix for real code, with a bounded IdleConnTimeout."},
	{"body-leave-open", "002", "client=shared&body=leave-open", nil, Leaks,
		"A shared client, but the body is neither read nor closed: the connection is never handed back, so every request dials a new one, and none is ever closed."},
	{"body-close-undrained", "002", "client=shared&body=close", nil, Flat,
		"The body is closed unread: the transport cannot reuse the connection, so it closes it. Nothing leaks, but every request dials."},
	{"body-drain-close", "002", "client=shared&body=drain-close", nil, Flat,
		"The body is read to the end, then closed (seed 002's fix): the connection goes back to the pool and is reused."},
	{"timeout", "003", "client=shared&timeout=10ms&delay=1s", nil, Flat,
		"A client timeout shorter than server 1's delay: every request is a 504, the client closes the connection it gave up on, and server 1's handler sees its caller leave."},
}

// Select returns the scenarios named in the comma-separated list, in
// catalogue order; an empty list is all of them. The slice is the caller's:
// changing it leaves the catalogue as it is.
func Select(list string) ([]Scenario, error) {
	if strings.TrimSpace(list) == "" {
		return slices.Clone(Scenarios), nil
	}
	want := make(map[string]bool)
	for name := range strings.SplitSeq(list, ",") {
		name = strings.TrimSpace(name)
		if _, ok := find(name); !ok {
			return nil, fmt.Errorf("unknown scenario %q: accepted are %s", name, names())
		}
		want[name] = true
	}
	var out []Scenario
	for _, s := range Scenarios {
		if want[s.Name] {
			out = append(out, s)
		}
	}
	return out, nil
}

func find(name string) (Scenario, bool) {
	for _, s := range Scenarios {
		if s.Name == name {
			return s, true
		}
	}
	return Scenario{}, false
}

func names() string {
	n := make([]string, len(Scenarios))
	for i, s := range Scenarios {
		n[i] = s.Name
	}
	return strings.Join(n, ", ")
}

// Curl is the command that reproduces the scenario by hand against the
// README's two servers.
func (s Scenario) Curl(n int) string {
	env := ""
	if len(s.Env1) > 0 {
		env = "# server 1 started with " + strings.Join(s.Env1, " ") + "\n"
	}
	return fmt.Sprintf("%sfor i in {1..%d}; do curl -s 'localhost:9090/forward?%s'; echo \"\"; done", env, n, s.Query)
}
