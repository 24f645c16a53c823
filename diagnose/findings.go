package diagnose

import (
	"fmt"
	"slices"
	"time"

	"github.com/connleak/connleak/scenario"
)

// The thresholds: a finding is named when its count reaches its threshold.
// They sit above what a healthy service shows at any moment, and far below
// what a leak piles up.
const (
	// IdleClientThreshold: a shared pool keeps MaxIdleConnsPerHost idle
	// connections per host (2 by default, GOMAXPROCS+1 with Resty's
	// Transport), MaxIdleConns in all (100 in http.DefaultTransport); 50
	// is more than a service keeps for the few hosts it calls.
	IdleClientThreshold = 50
	// BodyUnreadThreshold: a body being read holds its connection only for
	// as long as the read; 10 held at once means bodies nobody reads.
	BodyUnreadThreshold = 10
	// IdleServerThreshold: a server keeps one kept-alive connection per
	// client pool connection; 50 idle ones is more than a handful of
	// well-behaved clients hold.
	IdleServerThreshold = 50
	// InFlightThreshold: calls waiting for their response, where the dump
	// shows that one has waited a minute or more (a dump with wait times);
	// InFlightPileUp of them however long they waited, a pile-up
	// only the busiest services make by themselves.
	InFlightThreshold = 10
	InFlightPileUp    = 100
	// WaitingForConnThreshold: calls queued for a connection behind
	// MaxConnsPerHost.
	WaitingForConnThreshold = 10
	// DialThreshold: connections being dialled, where the dump shows that
	// one dial (or its TLS handshake) has waited a minute or more, when a
	// healthy dial takes milliseconds; DialPileUp of them however long
	// they waited, more than a service dials at once by itself.
	DialThreshold = 10
	DialPileUp    = 100
)

// Threshold is the count at which the finding id is named: a lab scenario
// that holds fewer connections (or calls) than this is, rightly, not named.
func Threshold(id string) int {
	switch id {
	case scenario.IdleClientConnections:
		return IdleClientThreshold
	case scenario.BodiesNotClosed:
		return BodyUnreadThreshold
	case scenario.IdleServerConnections:
		return IdleServerThreshold
	case scenario.CallsWithoutTimeout:
		return InFlightThreshold
	case scenario.WaitingForConnection:
		return WaitingForConnThreshold
	case scenario.DialsWithoutTimeout:
		return DialThreshold
	}
	return 0
}

// Finding is a pattern the dump shows: how many goroutines or connections,
// what it means, the fix, the lab scenario that reproduces it, and where
// the dump says the connections were made.
type Finding struct {
	ID        string `json:"id"`
	Count     int    `json:"count"`
	Message   string `json:"message"`
	Fix       string `json:"fix"`
	Reproduce string `json:"reproduce"`
	// OldestWaitMinutes is how long the oldest goroutine of the finding
	// has been blocked, where the dump says (a minute at least).
	OldestWaitMinutes int    `json:"oldestWaitMinutes,omitempty"`
	Sites             []Site `json:"sites"`
}

// findings names what t shows.
func (t *tally) findings(cl Client, sv Server) []Finding {
	fs := []Finding{} // [] in JSON, not null, when there are none
	// add names a finding: its goroutines are of kinds, one per connection
	// or call, so their sites count connections or calls.
	add := func(id string, count int, kinds []kind, msg, fix, reproduce string) {
		f := Finding{ID: id, Count: count, Message: msg, Fix: fix, Reproduce: reproduce, Sites: []Site{}}
		var oldest time.Duration
		sites := map[Site]int{}
		for _, k := range kinds {
			oldest = max(oldest, t.oldest[k])
			if k == handshake && slices.Contains(kinds, dialing) {
				continue // each handshake is on a dial counted already
			}
			for s, n := range t.sites[k] {
				sites[s] += n
			}
		}
		for s, n := range sites {
			s.Count = n
			f.Sites = append(f.Sites, s)
		}
		f.OldestWaitMinutes = int(oldest / time.Minute)
		sortSites(f.Sites)
		fs = append(fs, f)
	}

	if cl.Idle >= IdleClientThreshold {
		msg := fmt.Sprintf("%d idle client connections, each a readLoop and a writeLoop (HTTP/1) or a readLoop (HTTP/2) waiting for a next call that never comes: more than a shared pool keeps (%d). A client or Transport made per call leaves its pool behind, and a Transport with IdleConnTimeout 0 (a bare &http.Transport{}) never closes an idle connection.", cl.Idle, IdleClientThreshold)
		if m := t.oldest[readLoopIdle]; m >= 2*time.Minute {
			msg += fmt.Sprintf(" The oldest has been idle for %d minutes: no IdleConnTimeout shorter than that is in force (Go's and Resty's default is 90s).", int(m/time.Minute))
		}
		add(scenario.IdleClientConnections, cl.Idle, []kind{readLoopIdle, h2ClientConn}, msg,
			"Make one client (and Transport) per service, not per call, and keep it; give its Transport an IdleConnTimeout (90 * time.Second), or clone http.DefaultTransport.",
			"connleak demo -scenarios leak")
	}
	if cl.BodyUnread >= BodyUnreadThreshold {
		msg := fmt.Sprintf("%d client connections held by a response body nobody read to the end or closed: each readLoop waits for the body, so the connection is neither reused nor closed.", cl.BodyUnread)
		if m := t.oldest[readLoopBody]; m >= time.Minute {
			msg += fmt.Sprintf(" The oldest has waited %d minutes: no read is coming.", int(m/time.Minute))
		}
		add(scenario.BodiesNotClosed, cl.BodyUnread, []kind{readLoopBody}, msg,
			"Close every response body (defer resp.Body.Close()), and read it to io.EOF first so the connection goes back to the pool; with Resty's SetDoNotParseResponse(true), close RawBody().",
			"connleak demo -scenarios body-leave-open")
	}
	if sv.Idle >= IdleServerThreshold {
		msg := fmt.Sprintf("%d kept-alive server connections waiting for a next request, each a conn.serve goroutine and a socket: the server keeps them as long as its clients do.", sv.Idle)
		if m := t.oldest[serverIdle]; m >= 2*time.Minute {
			msg += fmt.Sprintf(" The oldest has waited %d minutes: no IdleTimeout (nor ReadTimeout) shorter than that is set on the http.Server.", int(m/time.Minute))
		}
		if sv.AwaitingRequest > 0 {
			msg += fmt.Sprintf(" %d of them wait for a request line: connections that have sent nothing yet or not finished their TLS handshake, whose wait ReadHeaderTimeout (or ReadTimeout) bounds, and, on Go before 1.20, kept-alive ones between requests, whose wait IdleTimeout bounds.", sv.AwaitingRequest)
			if m := t.oldest[serverAwaiting]; m >= 2*time.Minute {
				msg += fmt.Sprintf(" The oldest has waited %d minutes: no ReadHeaderTimeout shorter than that is set.", int(m/time.Minute))
			}
		}
		add(scenario.IdleServerConnections, sv.Idle, []kind{serverIdle, serverAwaiting, h2ServerConn}, msg,
			"Set http.Server.IdleTimeout (for example 2 * time.Minute), so the server closes what its clients leave open, and ReadHeaderTimeout (for example 10 * time.Second) for connections that send no request; http.ListenAndServe sets neither. Then find the clients that leave them (idle-client-connections in their dumps).",
			"connleak demo -scenarios leak")
	}
	slow := t.oldest[roundTrip] >= time.Minute || t.oldest[h2RoundTrip] >= time.Minute
	if cl.InFlight >= InFlightThreshold && slow || cl.InFlight >= InFlightPileUp {
		msg := fmt.Sprintf("%d calls waiting for their response, each holding its goroutine, its connection's goroutines and a socket.", cl.InFlight)
		if m := max(t.oldest[roundTrip], t.oldest[h2RoundTrip]); m >= time.Minute {
			msg += fmt.Sprintf(" The oldest has waited %d minutes: no timeout shorter than that is set on these calls.", int(m/time.Minute))
		}
		add(scenario.CallsWithoutTimeout, cl.InFlight, []kind{roundTrip, h2RoundTrip}, msg,
			"Give every outbound call a deadline: http.Client.Timeout, a context with a timeout (http.NewRequestWithContext), or Resty's SetTimeout.",
			"connleak demo -scenarios hung-upstream")
	}
	if cl.WaitingForConn >= WaitingForConnThreshold {
		add(scenario.WaitingForConnection, cl.WaitingForConn, []kind{getConn},
			fmt.Sprintf("%d calls queued for a connection: the Transport's MaxConnsPerHost is reached, and every call behind it waits, with no deadline of its own unless the call has one.", cl.WaitingForConn),
			"Raise MaxConnsPerHost to the concurrency the upstream can take, and give calls a timeout so a queue cannot grow without end.",
			"connleak demo -scenarios conn-queue")
	}
	dialWait := max(t.oldest[dialing], t.oldest[handshake])
	if cl.Dialing >= DialThreshold && dialWait >= time.Minute || cl.Dialing >= DialPileUp {
		msg := fmt.Sprintf("%d connections being dialled, %d of them in their TLS handshake: each holds a dial goroutine and a socket, and a handshake its own goroutine, for as long as the upstream takes.", cl.Dialing, cl.Handshaking)
		if dialWait >= time.Minute {
			msg += fmt.Sprintf(" The oldest has waited %d minutes.", int(dialWait/time.Minute))
		}
		msg += " The Transport has no TLSHandshakeTimeout, or its Dialer no Timeout: a bare &http.Transport{} has neither. A call's timeout does not end its dial: since Go 1.23 a dial goes on after the call that started it gives up, and before Go 1.17 a handshake did not watch the call at all."
		add(scenario.DialsWithoutTimeout, cl.Dialing, []kind{dialing, handshake}, msg,
			"Clone http.DefaultTransport (TLSHandshakeTimeout 10s, a net.Dialer with Timeout 30s), or set TLSHandshakeTimeout (10 * time.Second) and DialContext: (&net.Dialer{Timeout: 30 * time.Second}).DialContext on the Transport; and give calls a timeout.",
			"connleak demo -scenarios handshake-stall")
	}
	return fs
}
