package server

import (
	"strings"
	"testing"
	"time"
)

// env is a getenv for tests.
func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestConfigFromEnvDefaults(t *testing.T) {
	cfg, err := ConfigFromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.BindAddress != ":8080" || cfg.UpstreamURL.String() != "http://localhost:8080" ||
		cfg.ConnectionClose || cfg.IdleTimeout != 0 || cfg.Forward != DefaultOptions() {
		t.Errorf("defaults = %+v, want the Resty demo's: :8080, http://localhost:8080, no Connection: close, no idle timeout, %+v", cfg, DefaultOptions())
	}
}

func TestConfigFromEnv(t *testing.T) {
	cfg, err := ConfigFromEnv(env(map[string]string{
		"BIND_ADDRESS":                    ":9090",
		"UPSTREAM_URL":                    "https://server1.test:8443/base/",
		"CONNECTION_CLOSE":                "true",
		"SERVER_IDLE_TIMEOUT":             "1s",
		"FORWARD_CLIENT":                  "shared",
		"FORWARD_TRANSPORT":               "resty",
		"FORWARD_IDLE_CONN_TIMEOUT":       "2s",
		"FORWARD_DISABLE_KEEP_ALIVES":     "true",
		"FORWARD_MAX_IDLE_CONNS_PER_HOST": "3",
		"FORWARD_MAX_CONNS_PER_HOST":      "4",
		"FORWARD_TIMEOUT":                 "5s",
		"FORWARD_BODY":                    "drain-close",
		"FORWARD_CONN_CLOSE":              "true",
		"FORWARD_DELAY":                   "6ms",
		"FORWARD_PROTO":                   "h2",
		"FORWARD_FORCE_ATTEMPT_HTTP2":     "true",
		"FORWARD_TLS_HANDSHAKE_TIMEOUT":   "7s",
		"FORWARD_STALL_HANDSHAKE":         "true",
		"SERVER_PROTO":                    "h2c",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := Options{Client: "shared", Transport: "resty", IdleConnTimeout: 2 * time.Second, DisableKeepAlives: true,
		MaxIdleConnsPerHost: 3, MaxConnsPerHost: 4, Timeout: 5 * time.Second, Body: BodyDrainClose, ConnClose: true, Delay: 6 * time.Millisecond, Proto: ProtoH2, ForceAttemptHTTP2: true,
		TLSHandshakeTimeout: 7 * time.Second, StallHandshake: true}
	if cfg.Forward != want {
		t.Errorf("Forward = %+v, want %+v", cfg.Forward, want)
	}
	if cfg.Proto != ServeH2C || cfg.UpstreamTLS == nil || cfg.UpstreamTLS.InsecureSkipVerify {
		t.Errorf("SERVER_PROTO %q, upstream TLS %v: want h2c, and a verifying TLS configuration for the https upstream", cfg.Proto, cfg.UpstreamTLS)
	}
	if cfg.BindAddress != ":9090" || !cfg.ConnectionClose || cfg.IdleTimeout != time.Second {
		t.Errorf("cfg = %+v, want :9090, Connection: close, idle timeout 1s", cfg)
	}
	if got, want := New(cfg).helloURL, "https://server1.test:8443/base/hello"; got != want {
		t.Errorf("/forward calls %q, want %q", got, want)
	}
}

func TestConfigFromEnvErrors(t *testing.T) {
	tests := []struct{ name, value, want string }{
		{"UPSTREAM_URL", "ftp://localhost:8080", "http or https"},
		{"UPSTREAM_URL", "localhost:8080", "http or https"},
		{"UPSTREAM_URL", "http://", "want a host"},
		{"UPSTREAM_URL", "http://user:secret@localhost:8080", "user information"},
		{"UPSTREAM_URL", "http://localhost:8080/?x=1", "query or fragment"},
		{"UPSTREAM_URL", "http://local host", "not a URL"},
		{"CONNECTION_CLOSE", "maybe", "true or false"},
		{"SERVER_IDLE_TIMEOUT", "-1s", "from 0"},
		{"SERVER_IDLE_TIMEOUT", "2h", "to 1h"},
		{"FORWARD_CLIENT", "pooled", "one of new, shared"},
		{"FORWARD_IDLE_CONN_TIMEOUT", "soon", "Go duration"},
		{"FORWARD_MAX_CONNS_PER_HOST", "-1", "whole number"},
		{"FORWARD_DELAY", "11s", "to 10s"},
		{"FORWARD_TLS_HANDSHAKE_TIMEOUT", "soon", "a Go duration from 0 to 1m"},
		{"FORWARD_STALL_HANDSHAKE", "yes", "true or false"},
	}
	for _, tt := range tests {
		t.Run(tt.name+"="+tt.value, func(t *testing.T) {
			_, err := ConfigFromEnv(env(map[string]string{tt.name: tt.value}))
			if err == nil {
				t.Fatalf("%s=%q: no error, want one", tt.name, tt.value)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, tt.name+"=") || !strings.Contains(msg, tt.want) || strings.Contains(msg, "\n") {
				t.Errorf("%s=%q: error %q, want one line naming %s and saying %q", tt.name, tt.value, msg, tt.name, tt.want)
			}
		})
	}
}
