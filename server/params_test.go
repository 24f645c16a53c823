package server

import (
	"strings"
	"testing"
	"time"
)

func TestParseQuery(t *testing.T) {
	defaults := DefaultOptions()
	tests := []struct {
		query string
		want  Options
	}{
		{"", defaults},
		{"client=shared&body=drain-close", Options{Client: "shared", Transport: "custom", Body: BodyDrainClose, Proto: ProtoAuto}},
		{"transport=resty&idleConnTimeout=1s&timeout=250ms", Options{Client: "new", Transport: "resty", Body: BodyRead, IdleConnTimeout: time.Second, Timeout: 250 * time.Millisecond, Proto: ProtoAuto}},
		{"disableKeepAlives=true&connClose=1&delay=10s", Options{Client: "new", Transport: "custom", Body: BodyRead, DisableKeepAlives: true, ConnClose: true, Delay: 10 * time.Second, Proto: ProtoAuto}},
		{"maxIdleConnsPerHost=64&maxConnsPerHost=10000", Options{Client: "new", Transport: "custom", Body: BodyRead, MaxIdleConnsPerHost: 64, MaxConnsPerHost: 10000, Proto: ProtoAuto}},
		{"proto=h2&forceAttemptHTTP2=true&stall=true", Options{Client: "new", Transport: "custom", Body: BodyRead, Proto: ProtoH2, ForceAttemptHTTP2: true, Stall: true}},
		{"stallHandshake=true&tlsHandshakeTimeout=100ms", Options{Client: "new", Transport: "custom", Body: BodyRead, Proto: ProtoAuto, StallHandshake: true, TLSHandshakeTimeout: 100 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got, err := parseQuery(tt.query, defaults, forwardParams)
			if err != nil {
				t.Fatalf("parseQuery(%q): %v", tt.query, err)
			}
			if got != tt.want {
				t.Errorf("parseQuery(%q) = %+v, want %+v", tt.query, got, tt.want)
			}
		})
	}
}

func TestParseQueryErrors(t *testing.T) {
	tests := []struct {
		query string
		want  []string // each must be in the error
	}{
		{"foo=1", []string{`unknown parameter "foo"`, "client, transport, idleConnTimeout"}},
		{"client=new&client=shared", []string{"client given 2 times", "give it once"}},
		{"client=pooled", []string{`"pooled"`, "client", "one of new, shared, nethttp"}},
		{"transport=http2", []string{"transport", "one of custom, resty"}},
		{"idleConnTimeout=soon", []string{"idleConnTimeout", "a Go duration from 0 to 1h"}},
		{"idleConnTimeout=-1s", []string{"idleConnTimeout", "from 0"}},
		{"idleConnTimeout=2h", []string{"idleConnTimeout", "to 1h"}},
		{"disableKeepAlives=yes", []string{"disableKeepAlives", "true or false"}},
		{"maxIdleConnsPerHost=-1", []string{"maxIdleConnsPerHost", "a whole number from 0 to 10000"}},
		{"maxConnsPerHost=1e3", []string{"maxConnsPerHost", "whole number"}},
		{"maxConnsPerHost=99999999999999999999", []string{"maxConnsPerHost", "whole number"}},
		{"timeout=2m", []string{"timeout", "to 1m"}},
		{"tlsHandshakeTimeout=2m", []string{"tlsHandshakeTimeout", "a Go duration from 0 to 1m"}},
		{"tlsHandshakeTimeout=-1ms", []string{"tlsHandshakeTimeout", "from 0"}},
		{"stallHandshake=maybe", []string{"stallHandshake", "true or false"}},
		{"body=open", []string{"body", "one of read, leave-open, close, drain-close"}},
		{"connClose=2", []string{"connClose", "true or false"}},
		{"delay=11s", []string{"delay", "from 0 to 10s"}},
		{"delay=", []string{`bad value ""`, "delay"}},
		{"%zz", []string{"malformed query string"}},
		{"client=new;body=read", []string{"malformed query string"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			_, err := parseQuery(tt.query, DefaultOptions(), forwardParams)
			if err == nil {
				t.Fatalf("parseQuery(%q) = nil error, want one", tt.query)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("parseQuery(%q) = %q, want it to contain %q", tt.query, err, w)
				}
			}
		})
	}
}

func TestHelloParams(t *testing.T) {
	if got, want := paramNames(helloParams), "connClose, delay, stall, bodySize"; got != want {
		t.Errorf("/hello accepts %q, want %q", got, want)
	}
	if _, err := parseQuery("timeout=1s", Options{}, helloParams); err == nil || !strings.Contains(err.Error(), "connClose, delay, stall, bodySize") {
		t.Errorf("/hello?timeout=1s: error %v, want one listing connClose, delay", err)
	}
}

func TestEnvName(t *testing.T) {
	tests := map[string]string{
		"client":              "FORWARD_CLIENT",
		"idleConnTimeout":     "FORWARD_IDLE_CONN_TIMEOUT",
		"disableKeepAlives":   "FORWARD_DISABLE_KEEP_ALIVES",
		"maxIdleConnsPerHost": "FORWARD_MAX_IDLE_CONNS_PER_HOST",
		"connClose":           "FORWARD_CONN_CLOSE",
		"tlsHandshakeTimeout": "FORWARD_TLS_HANDSHAKE_TIMEOUT",
		"stallHandshake":      "FORWARD_STALL_HANDSHAKE",
	}
	for param, want := range tests {
		if got := envName(param); got != want {
			t.Errorf("envName(%q) = %q, want %q", param, got, want)
		}
	}
}

func TestShortDuration(t *testing.T) {
	tests := map[time.Duration]string{
		time.Hour:              "1h",
		time.Minute:            "1m",
		10 * time.Second:       "10s",
		90 * time.Minute:       "1h30m",
		500 * time.Millisecond: "500ms",
	}
	for d, want := range tests {
		if got := shortDuration(d); got != want {
			t.Errorf("shortDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
