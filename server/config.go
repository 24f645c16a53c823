package server

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
)

// Config is what one connleak server is started with. ConfigFromEnv reads it
// from the environment.
type Config struct {
	// BindAddress is the address to listen on (BIND_ADDRESS, default ":8080").
	BindAddress string
	// UpstreamURL is server 1's base URL (UPSTREAM_URL, default
	// "http://localhost:8080"). /forward POSTs to UpstreamURL + "/hello"; no
	// request can change it.
	UpstreamURL *url.URL
	// ConnectionClose makes /hello answer every request with
	// "Connection: close" (CONNECTION_CLOSE, default false).
	ConnectionClose bool
	// IdleTimeout is http.Server.IdleTimeout (SERVER_IDLE_TIMEOUT, default 0:
	// idle connections are kept for ever).
	IdleTimeout time.Duration
	// Proto is what this instance serves (SERVER_PROTO): "h1", HTTP/1.1
	// (the default); "h1-tls", HTTP/1.1 over TLS; "h2", HTTP/2 and HTTP/1.1
	// over TLS, chosen by ALPN; "h2c", HTTP/1.1 and HTTP/2 without TLS (with
	// prior knowledge). Over TLS its certificate is made at start, signed by
	// the lab CA (tls.go).
	Proto string
	// UpstreamTLS is the TLS configuration of calls to an https
	// UPSTREAM_URL: the system's roots, the PEM file UPSTREAM_CA names, and
	// the lab CA for a loopback upstream. Nil for an http UPSTREAM_URL.
	UpstreamTLS *tls.Config
	// Forward holds the defaults of the /forward query parameters
	// (FORWARD_CLIENT, FORWARD_TRANSPORT, ...).
	Forward Options
	// CallCeiling bounds a call to server 1 that has no timeout
	// (FORWARD_CALL_CEILING, default DefaultCallCeiling): past it, /forward
	// answers 504 naming the setting.
	CallCeiling time.Duration
	// MaxHeld is the leak budget: the most connections /forward may hold open
	// to server 1 at once (FORWARD_MAX_HELD, default DefaultMaxHeld()).
	MaxHeld int
}

// The values of SERVER_PROTO.
const (
	ServeH1    = "h1"
	ServeH1TLS = "h1-tls"
	ServeH2    = "h2"
	ServeH2C   = "h2c"
)

// defaultUpstream is server 1's base URL when UPSTREAM_URL is empty.
const defaultUpstream = "http://localhost:8080"

// DefaultCallCeiling is FORWARD_CALL_CEILING's default: three times the
// longest delay, so that no call to a healthy server 1 meets it.
const DefaultCallCeiling = 3 * MaxDelay

// maxServerIdleTimeout bounds SERVER_IDLE_TIMEOUT and FORWARD_CALL_CEILING.
const maxServerIdleTimeout = time.Hour

// envParams are the settings of the environment that hold one value
// each, parsed as /forward's query parameters are (BIND_ADDRESS and the
// upstream's, which check more, and the FORWARD_ defaults of /forward's
// parameters, which are forwardParams, are ConfigFromEnv's own).
var envParams = []param[Config]{
	accepting(enumParam("SERVER_PROTO", func(c *Config) *string { return &c.Proto }, ServeH1, ServeH1TLS, ServeH2, ServeH2C),
		"h1 (HTTP/1.1), h1-tls (HTTP/1.1 over TLS), h2 (HTTP/2 and HTTP/1.1 over TLS) or h2c (HTTP/2 and HTTP/1.1 without TLS)"),
	boolParam("CONNECTION_CLOSE", func(c *Config) *bool { return &c.ConnectionClose }),
	accepting(durationParam("SERVER_IDLE_TIMEOUT", func(c *Config) *time.Duration { return &c.IdleTimeout }, 0, maxServerIdleTimeout),
		fmt.Sprintf("a Go duration from 0 (no limit) to %s, such as 1s", shortDuration(maxServerIdleTimeout))),
	accepting(durationParam("FORWARD_CALL_CEILING", func(c *Config) *time.Duration { return &c.CallCeiling }, time.Nanosecond, maxServerIdleTimeout),
		fmt.Sprintf("a Go duration above 0 and up to %s, such as 30s", shortDuration(maxServerIdleTimeout))),
	intParam("FORWARD_MAX_HELD", func(c *Config) *int { return &c.MaxHeld }, 1, maxConnCount*10),
}

// ConfigFromEnv reads a Config from the environment through getenv. An empty
// variable means its default. The error names the variable and what it
// accepts.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	cfg := Config{BindAddress: ":8080", Forward: DefaultOptions(), Proto: ServeH1, CallCeiling: DefaultCallCeiling, MaxHeld: DefaultMaxHeld()}
	if v := getenv("BIND_ADDRESS"); v != "" {
		if _, _, err := net.SplitHostPort(v); err != nil || strings.ContainsFunc(v, unicode.IsControl) {
			return Config{}, fmt.Errorf("BIND_ADDRESS=%q: accepts host:port, such as :8080 or 127.0.0.1:9090", v)
		}
		cfg.BindAddress = v
	}

	upstream := defaultUpstream
	if v := getenv("UPSTREAM_URL"); v != "" {
		upstream = v
	}
	u, err := parseUpstream(upstream)
	if err != nil {
		return Config{}, fmt.Errorf("UPSTREAM_URL=%q: %v", Redact(upstream), Redact(err.Error())) // url.Parse's errors quote the URL
	}
	cfg.UpstreamURL = u
	if v := getenv("UPSTREAM_CA"); v != "" && u.Scheme != "https" {
		return Config{}, fmt.Errorf("UPSTREAM_CA=%q: goes with an https UPSTREAM_URL", v)
	}
	if u.Scheme == "https" {
		if cfg.UpstreamTLS, err = upstreamTLS(u, getenv("UPSTREAM_CA")); err != nil {
			return Config{}, fmt.Errorf("UPSTREAM_CA=%q: accepts a file of PEM certificates: %v", getenv("UPSTREAM_CA"), err)
		}
	}

	for _, p := range envParams {
		if v := getenv(p.name); v != "" && !p.set(&cfg, v) {
			return Config{}, fmt.Errorf("%s=%q: accepts %s", p.name, v, p.accepts)
		}
	}
	for _, p := range forwardParams {
		name := envName(p.name)
		if v := getenv(name); v != "" && !p.set(&cfg.Forward, v) {
			return Config{}, fmt.Errorf("%s=%q: accepts %s", name, v, p.accepts)
		}
	}
	return cfg, nil
}

// parseUpstream checks server 1's base URL: http or https, a host, nothing
// else that could change where /forward goes.
func parseUpstream(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, fmt.Errorf("not a URL: %v", err)
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("want an http or https URL such as http://localhost:8080")
	case u.Host == "" || u.Hostname() == "":
		return nil, fmt.Errorf("want a host, such as http://localhost:8080")
	case u.User != nil:
		return nil, fmt.Errorf("user information is not accepted")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, fmt.Errorf("a query or fragment is not accepted: /forward calls UPSTREAM_URL/hello")
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// userinfo matches the user information of a URL, parsable or not.
var userinfo = regexp.MustCompile(`//[^/?#]*@`)

// Redact hides any user information in a URL, password included, so that a
// message or log line that names the URL gives away no secret. It works on
// text that does not parse as a URL too.
func Redact(rawURL string) string {
	return userinfo.ReplaceAllString(rawURL, "//xxxxx@")
}
