// Package scenario is the one catalogue of connleak's scenarios: each is a
// pattern of HTTP connection handling, how the lab reproduces it, what it
// does to the goroutines of both servers, and what `connleak diagnose` must
// name on each server's dump. The demo, the bench, the tests and diagnose
// all read it; it imports nothing of the project.
package scenario

import (
	"fmt"
	"net/http"
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

// The findings of `connleak diagnose`: the patterns it names in a dump. The
// diagnose package says when each is named, and what to do.
const (
	IdleClientConnections = "idle-client-connections"    // a client per request, or a Transport that never closes idle ones
	BodiesNotClosed       = "response-bodies-not-closed" // connections held by bodies nobody read to the end or closed
	IdleServerConnections = "idle-server-connections"    // keep-alive connections a server keeps waiting: no IdleTimeout
	CallsWithoutTimeout   = "calls-without-timeout"      // goroutines waiting on outbound calls' responses
	WaitingForConnection  = "waiting-for-connection"     // calls queued behind MaxConnsPerHost
)

// Scenario is one row of the physics table: a /forward configuration, what
// server 1 is started with, and what it must do.
type Scenario struct {
	Name  string
	Seed  string   // the seed document it comes from
	Query string   // the /forward query
	Env1  []string // server 1's environment
	Want  Verdict
	// PerRequest2 and PerRequest1 are the goroutines each request adds,
	// while the requests come, on server 2 and server 1.
	PerRequest2, PerRequest1 int
	// Pooled: once the requests stop, one pooled connection stays (+2 on
	// server 2, +1 on server 1) instead of none.
	Pooled bool
	// Status is the status of every /forward reply.
	Status int
	// Finding2 and Finding1 are the findings diagnose names on server 2's
	// and server 1's goroutine dumps at the end of the scenario, after the
	// idle wait; "" for none.
	Finding2, Finding1 string
	Explain            string
}

// all is the catalogue, in the order of the physics table.
var all = []Scenario{
	{Name: "leak", Seed: "000, 001", Query: "client=new&transport=custom", Want: Leaks, PerRequest2: 2, PerRequest1: 1,
		Status: http.StatusOK, Finding2: IdleClientConnections, Finding1: IdleServerConnections,
		Explain: "A new Resty client per request with a bare &http.Transport{}: IdleConnTimeout 0 keeps every idle connection for ever. Server 2 keeps a readLoop and a writeLoop per request, server 1 a conn.serve."},
	{Name: "resty-default", Seed: "000", Query: "client=new&transport=resty", Want: Leaks, PerRequest2: 2, PerRequest1: 1,
		Status: http.StatusOK, Finding2: IdleClientConnections, Finding1: IdleServerConnections,
		Explain: "A new client per request with Resty's own Transport: its IdleConnTimeout is 90s, so every connection stays 90 seconds. Not a fix: under steady traffic the last 90 seconds of connections are always held."},
	{Name: "idle-timeout", Seed: "000, 001", Query: "client=new&idleConnTimeout=1s", Want: Recovers, PerRequest2: 2, PerRequest1: 1,
		Status:  http.StatusOK,
		Explain: "IdleConnTimeout: 1s on the Transport (seed fix 2). Connections still pile up while requests come, then close one second after their last use."},
	{Name: "no-keepalive", Seed: "001", Query: "client=new&disableKeepAlives=true", Want: Flat,
		Status:  http.StatusOK,
		Explain: "DisableKeepAlives: true (seed fix 1): each connection is closed after its request. Nothing is held; every request dials."},
	{Name: "conn-close", Seed: "000, 001", Query: "client=new&connClose=true", Want: Flat,
		Status:  http.StatusOK,
		Explain: "Server 1 answers Connection: close (seed fix 3), so both sides close after the reply. It protects server 1 from clients it cannot fix."},
	{Name: "server-idle-timeout", Seed: "none", Query: "client=new", Env1: []string{"SERVER_IDLE_TIMEOUT=1s"}, Want: Recovers, PerRequest2: 2, PerRequest1: 1,
		Status:  http.StatusOK,
		Explain: "http.Server.IdleTimeout: 1s on server 1: the server closes idle connections, and the client's readLoop sees the close and exits. Every Go server should set it."},
	{Name: "shared-client", Seed: "003", Query: "client=shared", Want: Flat, Pooled: true,
		Status:  http.StatusOK,
		Explain: "One client, reused: one pooled connection for every request. The fix for real code, with a bounded IdleConnTimeout."},
	{Name: "body-leave-open", Seed: "002", Query: "client=shared&body=leave-open", Want: Leaks, PerRequest2: 2, PerRequest1: 1,
		Status: http.StatusOK, Finding2: BodiesNotClosed, Finding1: IdleServerConnections,
		Explain: "A shared client, but the body is neither read nor closed: the connection is never handed back, so every request dials a new one, and none is ever closed."},
	{Name: "body-close-undrained", Seed: "002", Query: "client=shared&body=close", Want: Flat,
		Status:  http.StatusOK,
		Explain: "The body is closed unread: the transport cannot reuse the connection, so it closes it. Nothing leaks, but every request dials."},
	{Name: "body-drain-close", Seed: "002", Query: "client=shared&body=drain-close", Want: Flat, Pooled: true,
		Status:  http.StatusOK,
		Explain: "The body is read to the end, then closed (seed 002's fix): the connection goes back to the pool and is reused."},
	{Name: "timeout", Seed: "003", Query: "client=shared&timeout=10ms&delay=1s", Want: Flat,
		Status:  http.StatusGatewayTimeout,
		Explain: "A client timeout shorter than server 1's delay: every request is a 504, the client closes the connection it gave up on, and server 1's handler sees its caller leave."},
}

// All returns the catalogue, in the order of the physics table. The slice
// is the caller's: changing it leaves the catalogue as it is.
func All() []Scenario {
	out := slices.Clone(all)
	for i := range out {
		out[i].Env1 = slices.Clone(out[i].Env1)
	}
	return out
}

// Select returns the scenarios named in the comma-separated list, in
// catalogue order; an empty list is all of them. Like All, the slice is the
// caller's.
func Select(list string) ([]Scenario, error) {
	if strings.TrimSpace(list) == "" {
		return All(), nil
	}
	want := make(map[string]bool)
	for name := range strings.SplitSeq(list, ",") {
		name = strings.TrimSpace(name)
		if !slices.ContainsFunc(all, func(s Scenario) bool { return s.Name == name }) {
			return nil, fmt.Errorf("unknown scenario %q: accepted are %s", name, Names())
		}
		want[name] = true
	}
	return slices.DeleteFunc(All(), func(s Scenario) bool { return !want[s.Name] }), nil
}

// Names lists the scenarios' names, comma-separated.
func Names() string {
	n := make([]string, len(all))
	for i, s := range all {
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
