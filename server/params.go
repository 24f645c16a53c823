package server

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Options are the settings of one /forward call. Each field is a query
// parameter of /forward (see forwardParams for names and accepted values) and
// has a process-wide default in the environment: FORWARD_ followed by the
// parameter's name in upper snake case, such as FORWARD_IDLE_CONN_TIMEOUT.
type Options struct {
	Client              string        // "new": resty.New() per request; "shared": one per configuration; "nethttp": one net/http client per configuration, no Resty
	Transport           string        // "custom": a bare http.Transport; "resty": Resty's own default transport
	IdleConnTimeout     time.Duration // http.Transport.IdleConnTimeout
	DisableKeepAlives   bool          // http.Transport.DisableKeepAlives
	MaxIdleConnsPerHost int           // http.Transport.MaxIdleConnsPerHost
	MaxConnsPerHost     int           // http.Transport.MaxConnsPerHost
	TLSHandshakeTimeout time.Duration // http.Transport.TLSHandshakeTimeout
	Timeout             time.Duration // the client's timeout (http.Client.Timeout)
	Body                string        // what /forward does with server 1's response body
	ConnClose           bool          // ask server 1 to answer with Connection: close
	Delay               time.Duration // ask server 1 to wait before answering
	Stall               bool          // ask server 1 never to answer: the call waits until it gives up
	BodySize            int           // ask server 1 to pad its reply with this many bytes
	StallHandshake      bool          // ask server 1 never to finish the TLS handshake: the dial waits until it gives up
	Proto               string        // "auto": what the Transport negotiates; "h1", "h2" (over TLS), "h2c": http.Transport.Protocols
	ForceAttemptHTTP2   bool          // http.Transport.ForceAttemptHTTP2
}

// DefaultOptions are the defaults of /forward when the environment says
// nothing: the Resty demo's leaky configuration.
func DefaultOptions() Options {
	return Options{Client: "new", Transport: "custom", Body: "read", Proto: ProtoAuto}
}

// Body modes of /forward.
const (
	BodyRead       = "read"        // Resty reads the body to the end and closes it
	BodyLeaveOpen  = "leave-open"  // neither read nor closed: leaks the connection on purpose
	BodyClose      = "close"       // closed unread: the transport must throw the connection away
	BodyDrainClose = "drain-close" // read to the end, then closed: the connection goes back to the pool
)

// Protocols of /forward's calls (the proto parameter).
const (
	ProtoAuto = "auto" // the Transport's own choice: HTTP/2 over TLS only with ForceAttemptHTTP2 or no TLSClientConfig of its own
	ProtoH1   = "h1"   // HTTP/1.1, over TLS for an https upstream
	ProtoH2   = "h2"   // HTTP/2 over TLS
	ProtoH2C  = "h2c"  // HTTP/2 without TLS, with prior knowledge
)

// Upper bounds of the numeric parameters. They keep one request from holding
// server 1 or server 2 busy for long, or from asking for absurd pools.
const (
	MaxDelay     = 10 * time.Second
	maxTimeout   = time.Minute
	maxIdleConn  = time.Hour
	maxConnCount = 10000
	// MaxBodySize bounds bodySize: past Go 1.27's drain limit for a body
	// closed unread (256 KiB), within what /forward reads (MaxBody).
	MaxBodySize = 512 << 10
)

// A param is one setting of a T: a query parameter of /forward, or a
// variable of the environment. It has its name, what it accepts (said in
// every error about it), and how it sets its field of T.
type param[T any] struct {
	name    string
	accepts string
	set     func(t *T, value string) bool
}

// accepting is p saying that it accepts what accepts says.
func accepting[T any](p param[T], accepts string) param[T] {
	p.accepts = accepts
	return p
}

// forwardParams are the query parameters of /forward, in the order the
// README lists them.
var forwardParams = []param[Options]{
	enumParam("client", func(o *Options) *string { return &o.Client }, "new", "shared", "nethttp"),
	enumParam("transport", func(o *Options) *string { return &o.Transport }, "custom", "resty"),
	durationParam("idleConnTimeout", func(o *Options) *time.Duration { return &o.IdleConnTimeout }, 0, maxIdleConn),
	boolParam("disableKeepAlives", func(o *Options) *bool { return &o.DisableKeepAlives }),
	intParam("maxIdleConnsPerHost", func(o *Options) *int { return &o.MaxIdleConnsPerHost }, 0, maxConnCount),
	intParam("maxConnsPerHost", func(o *Options) *int { return &o.MaxConnsPerHost }, 0, maxConnCount),
	durationParam("tlsHandshakeTimeout", func(o *Options) *time.Duration { return &o.TLSHandshakeTimeout }, 0, maxTimeout),
	durationParam("timeout", func(o *Options) *time.Duration { return &o.Timeout }, 0, maxTimeout),
	enumParam("body", func(o *Options) *string { return &o.Body }, BodyRead, BodyLeaveOpen, BodyClose, BodyDrainClose),
	boolParam("connClose", func(o *Options) *bool { return &o.ConnClose }),
	durationParam("delay", func(o *Options) *time.Duration { return &o.Delay }, 0, MaxDelay),
	boolParam("stall", func(o *Options) *bool { return &o.Stall }),
	intParam("bodySize", func(o *Options) *int { return &o.BodySize }, 0, MaxBodySize),
	boolParam("stallHandshake", func(o *Options) *bool { return &o.StallHandshake }),
	enumParam("proto", func(o *Options) *string { return &o.Proto }, ProtoAuto, ProtoH1, ProtoH2, ProtoH2C),
	boolParam("forceAttemptHTTP2", func(o *Options) *bool { return &o.ForceAttemptHTTP2 }),
}

// helloParams are the query parameters of /hello: the subset of
// forwardParams that /forward passes on to server 1.
var helloParams = slices.DeleteFunc(slices.Clone(forwardParams), func(p param[Options]) bool {
	return p.name != "connClose" && p.name != "delay" && p.name != "stall" && p.name != "bodySize"
})

func enumParam[T any](name string, field func(*T) *string, values ...string) param[T] {
	return param[T]{name, "one of " + strings.Join(values, ", "), func(t *T, v string) bool {
		if !slices.Contains(values, v) {
			return false
		}
		*field(t) = v
		return true
	}}
}

func durationParam[T any](name string, field func(*T) *time.Duration, lo, hi time.Duration) param[T] {
	from := "0"
	if lo > 0 {
		from = shortDuration(lo)
	}
	accepts := fmt.Sprintf("a Go duration from %s to %s, such as 500ms or 1s", from, shortDuration(hi))
	return param[T]{name, accepts, func(t *T, v string) bool {
		d, err := time.ParseDuration(v)
		if err != nil || d < lo || d > hi {
			return false
		}
		*field(t) = d
		return true
	}}
}

func boolParam[T any](name string, field func(*T) *bool) param[T] {
	return param[T]{name, "true or false", func(t *T, v string) bool {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return false
		}
		*field(t) = b
		return true
	}}
}

func intParam[T any](name string, field func(*T) *int, lo, hi int) param[T] {
	accepts := fmt.Sprintf("a whole number from %d to %d", lo, hi)
	return param[T]{name, accepts, func(t *T, v string) bool {
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return false
		}
		*field(t) = n
		return true
	}}
}

// parseQuery applies the raw query string to a copy of defaults. An unknown
// parameter, a parameter given more than once, or a value outside what the
// parameter accepts is an error that names the parameter and what it accepts.
func parseQuery(rawQuery string, defaults Options, params []param[Options]) (Options, error) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return defaults, fmt.Errorf("malformed query string: %v", err)
	}
	o := defaults
	for _, name := range slices.Sorted(maps.Keys(q)) {
		i := slices.IndexFunc(params, func(p param[Options]) bool { return p.name == name })
		if i < 0 && len(params) == 0 {
			return defaults, fmt.Errorf("unknown parameter %q: this endpoint takes none", name)
		}
		if i < 0 {
			return defaults, fmt.Errorf("unknown parameter %q: accepted are %s", name, paramNames(params))
		}
		p, values := params[i], q[name]
		if len(values) > 1 {
			return defaults, fmt.Errorf("parameter %s given %d times: give it once (%s)", name, len(values), p.accepts)
		}
		if !p.set(&o, values[0]) {
			return defaults, fmt.Errorf("bad value %q for parameter %s: it accepts %s", values[0], name, p.accepts)
		}
	}
	return o, nil
}

func paramNames(params []param[Options]) string {
	names := make([]string, len(params))
	for i, p := range params {
		names[i] = p.name
	}
	return strings.Join(names, ", ")
}

// envName is the environment variable that holds the default of a /forward
// parameter: FORWARD_ and the name in upper snake case.
func envName(param string) string {
	var b strings.Builder
	b.WriteString("FORWARD_")
	var prev rune
	for _, r := range param {
		if 'A' <= r && r <= 'Z' && 'a' <= prev && prev <= 'z' { // forceAttemptHTTP2: FORCE_ATTEMPT_HTTP2
			b.WriteByte('_')
		}
		b.WriteRune(r)
		prev = r
	}
	return strings.ToUpper(b.String())
}

// shortDuration formats d as a person would write it: 1h, not 1h0m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
