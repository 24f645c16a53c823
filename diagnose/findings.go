package diagnose

import (
	"fmt"
	"slices"
	"time"
)

// The findings: the patterns diagnose names in a dump. The ids are stable,
// for programs that read the JSON and for the links into docs/findings.md.
const (
	IdleClientConnections = "idle-client-connections"    // a client per call, or a Transport that never closes idle connections
	BodiesNotClosed       = "response-bodies-not-closed" // connections held by bodies nobody read to the end or closed
	IdleServerConnections = "idle-server-connections"    // kept-alive connections a server keeps waiting: no IdleTimeout
	CallsWithoutTimeout   = "calls-without-timeout"      // goroutines waiting on outbound calls' responses
	WaitingForConnection  = "waiting-for-connection"     // calls queued behind MaxConnsPerHost
	DialsWithoutTimeout   = "dials-without-timeout"      // dials stuck in a TLS handshake or a connect: no TLSHandshakeTimeout, no Dialer Timeout
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

// DocBase is where each finding is documented: DocBase + id.
const DocBase = "https://github.com/connleak/connleak/blob/main/docs/findings.md#"

// FindingInfo is what diagnose knows of a finding before any dump: its id,
// when it is named, the fix, and where it is documented. Findings lists
// them all.
type FindingInfo struct {
	ID string
	// Threshold is the count at which the finding is named. Where PileUp
	// is set, the count must also have waited a minute or more, as a dump
	// with wait times shows.
	Threshold int
	// PileUp, if not 0, is the count at which the finding is named however
	// long its goroutines have waited.
	PileUp int
	Fix    string
	Doc    string // the link to its section of docs/findings.md

	kinds   []kind                                             // its goroutines, one per connection or call
	count   func(Client, Server) int                           // what it counts
	message func(n int, t *tally, cl Client, sv Server) string // what the dump says of it
}

// Count is what the finding counts in r, named or not: its connections
// or its calls. connleaktest judges a test by it.
func (f FindingInfo) Count(r Report) int {
	return f.count(r.Client, r.Server)
}

// findings is the registry, in the order a report lists its findings.
var findings = []FindingInfo{
	{
		ID: IdleClientConnections, Threshold: IdleClientThreshold,
		Fix:   "Make one client (and Transport) per service, not per call, and keep it; give its Transport an IdleConnTimeout (90 * time.Second), or clone http.DefaultTransport.",
		kinds: []kind{readLoopIdle, h2ClientConn},
		count: func(cl Client, _ Server) int { return cl.Idle },
		message: func(n int, t *tally, _ Client, _ Server) string {
			msg := fmt.Sprintf("%d idle client connections, each a readLoop and a writeLoop (HTTP/1) or a readLoop (HTTP/2) waiting for a next call that never comes: more than a shared pool keeps (%d). A client or Transport made per call leaves its pool behind, and a Transport with IdleConnTimeout 0 (a bare &http.Transport{}) never closes an idle connection.", n, IdleClientThreshold)
			if m := t.oldest[readLoopIdle]; m >= 2*time.Minute {
				msg += fmt.Sprintf(" The oldest has been idle for %d minutes: no IdleConnTimeout shorter than that is in force (Go's and Resty's default is 90s).", int(m/time.Minute))
			}
			return msg
		},
	},
	{
		ID: BodiesNotClosed, Threshold: BodyUnreadThreshold,
		Fix:   "Close every response body (defer resp.Body.Close()), and read it to io.EOF first so the connection goes back to the pool; with Resty's SetDoNotParseResponse(true), close RawBody().",
		kinds: []kind{readLoopBody},
		count: func(cl Client, _ Server) int { return cl.BodyUnread },
		message: func(n int, t *tally, _ Client, _ Server) string {
			msg := fmt.Sprintf("%d client connections held by a response body nobody read to the end or closed: each readLoop waits for the body, so the connection is neither reused nor closed.", n)
			if m := t.oldest[readLoopBody]; m >= time.Minute {
				msg += fmt.Sprintf(" The oldest has waited %d minutes: no read is coming.", int(m/time.Minute))
			}
			return msg
		},
	},
	{
		ID: IdleServerConnections, Threshold: IdleServerThreshold,
		Fix:   "Set http.Server.IdleTimeout (for example 2 * time.Minute), so the server closes what its clients leave open, and ReadHeaderTimeout (for example 10 * time.Second) for connections that send no request; http.ListenAndServe sets neither. Then find the clients that leave them (idle-client-connections in their dumps).",
		kinds: []kind{serverIdle, serverAwaiting, h2ServerConn},
		count: func(_ Client, sv Server) int { return sv.Idle },
		message: func(n int, t *tally, _ Client, sv Server) string {
			msg := fmt.Sprintf("%d kept-alive server connections waiting for a next request, each a conn.serve goroutine and a socket: the server keeps them as long as its clients do.", n)
			if m := t.oldest[serverIdle]; m >= 2*time.Minute {
				msg += fmt.Sprintf(" The oldest has waited %d minutes: no IdleTimeout (nor ReadTimeout) shorter than that is set on the http.Server.", int(m/time.Minute))
			}
			if sv.AwaitingRequest > 0 {
				msg += fmt.Sprintf(" %d of them wait for a request line: connections that have sent nothing yet or not finished their TLS handshake, whose wait ReadHeaderTimeout (or ReadTimeout) bounds, and, on Go before 1.20, kept-alive ones between requests, whose wait IdleTimeout bounds.", sv.AwaitingRequest)
				if m := t.oldest[serverAwaiting]; m >= 2*time.Minute {
					msg += fmt.Sprintf(" The oldest has waited %d minutes: no ReadHeaderTimeout shorter than that is set.", int(m/time.Minute))
				}
			}
			return msg
		},
	},
	{
		ID: CallsWithoutTimeout, Threshold: InFlightThreshold, PileUp: InFlightPileUp,
		Fix:   "Give every outbound call a deadline: http.Client.Timeout, a context with a timeout (http.NewRequestWithContext), or Resty's SetTimeout.",
		kinds: []kind{roundTrip, h2RoundTrip},
		count: func(cl Client, _ Server) int { return cl.InFlight },
		message: func(n int, t *tally, _ Client, _ Server) string {
			msg := fmt.Sprintf("%d calls waiting for their response, each holding its goroutine, its connection's goroutines and a socket.", n)
			if m := max(t.oldest[roundTrip], t.oldest[h2RoundTrip]); m >= time.Minute {
				msg += fmt.Sprintf(" The oldest has waited %d minutes: no timeout shorter than that is set on these calls.", int(m/time.Minute))
			}
			return msg
		},
	},
	{
		ID: WaitingForConnection, Threshold: WaitingForConnThreshold,
		Fix:   "Raise MaxConnsPerHost to the concurrency the upstream can take, and give calls a timeout so a queue cannot grow without end.",
		kinds: []kind{getConn},
		count: func(cl Client, _ Server) int { return cl.WaitingForConn },
		message: func(n int, _ *tally, _ Client, _ Server) string {
			return fmt.Sprintf("%d calls queued for a connection: the Transport's MaxConnsPerHost is reached, and every call behind it waits, with no deadline of its own unless the call has one.", n)
		},
	},
	{
		ID: DialsWithoutTimeout, Threshold: DialThreshold, PileUp: DialPileUp,
		Fix:   "Clone http.DefaultTransport (TLSHandshakeTimeout 10s, a net.Dialer with Timeout 30s), or set TLSHandshakeTimeout (10 * time.Second) and DialContext: (&net.Dialer{Timeout: 30 * time.Second}).DialContext on the Transport; and give calls a timeout.",
		kinds: []kind{dialing, handshake},
		count: func(cl Client, _ Server) int { return cl.Dialing },
		message: func(n int, t *tally, cl Client, _ Server) string {
			msg := fmt.Sprintf("%d connections being dialled, %d of them in their TLS handshake: each holds a dial goroutine and a socket, and a handshake its own goroutine, for as long as the upstream takes.", n, cl.Handshaking)
			if m := max(t.oldest[dialing], t.oldest[handshake]); m >= time.Minute {
				msg += fmt.Sprintf(" The oldest has waited %d minutes.", int(m/time.Minute))
			}
			return msg + " The Transport has no TLSHandshakeTimeout, or its Dialer no Timeout: a bare &http.Transport{} has neither. A call's timeout does not end its dial: since Go 1.23 a dial goes on after the call that started it gives up, and before Go 1.17 a handshake did not watch the call at all."
		},
	},
}

func init() {
	for i := range findings {
		findings[i].Doc = DocBase + findings[i].ID
	}
}

// Findings returns the registry of findings, in the order a report lists
// them. The slice is the caller's.
func Findings() []FindingInfo {
	out := slices.Clone(findings)
	for i := range out {
		out[i].kinds = slices.Clone(out[i].kinds)
	}
	return out
}

// Info returns the registry's entry for the finding id.
func Info(id string) (FindingInfo, bool) {
	i := slices.IndexFunc(findings, func(f FindingInfo) bool { return f.ID == id })
	if i < 0 {
		return FindingInfo{}, false
	}
	return findings[i], true
}

// Threshold is the count at which the finding id is named (0 for an id
// diagnose does not know): a lab scenario that holds fewer connections (or
// calls) than this is, rightly, not named.
func Threshold(id string) int {
	f, _ := Info(id)
	return f.Threshold
}

// Finding is a pattern the dump shows: how many goroutines or connections,
// what it means, the fix, where it is documented, and where the dump says
// the connections were made.
type Finding struct {
	ID      string `json:"id"`
	Count   int    `json:"count"`
	Message string `json:"message"`
	Fix     string `json:"fix"`
	Doc     string `json:"doc"` // the link to its section of docs/findings.md
	// OldestWaitMinutes is how long the oldest goroutine of the finding
	// has been blocked, where the dump says (a minute at least).
	OldestWaitMinutes int    `json:"oldestWaitMinutes,omitempty"`
	Sites             []Site `json:"sites"`
}

// findings names what t shows: each finding of the registry whose count
// reaches its threshold, or the threshold thresholds gives it.
func (t *tally) findings(cl Client, sv Server, thresholds map[string]int) []Finding {
	fs := []Finding{} // [] in JSON, not null, when there are none
	for _, info := range findings {
		n := info.count(cl, sv)
		oldest := t.oldestOf(info)
		named := n >= info.Threshold
		if info.PileUp > 0 {
			named = named && oldest >= time.Minute || n >= info.PileUp
		}
		if th, ok := thresholds[info.ID]; ok {
			named = n >= max(th, 1)
		}
		if !named {
			continue
		}
		f := Finding{ID: info.ID, Count: n, Message: info.message(n, t, cl, sv), Fix: info.Fix, Doc: info.Doc, Sites: []Site{}}
		// Its goroutines are of kinds, one per connection or call, so
		// their sites count connections or calls.
		sites := map[Site]int{}
		for _, k := range info.kinds {
			if k == handshake && slices.Contains(info.kinds, dialing) {
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
	return fs
}

// oldestOf is how long the longest-waiting goroutine of info's kinds has
// been blocked, where the dump says.
func (t *tally) oldestOf(info FindingInfo) time.Duration {
	var oldest time.Duration
	for _, k := range info.kinds {
		oldest = max(oldest, t.oldest[k])
	}
	return oldest
}
