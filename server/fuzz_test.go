package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// The seed corpus of each target is in testdata/fuzz; make fuzz runs them.

func FuzzParseQuery(f *testing.F) {
	f.Add("client=shared&transport=resty&idleConnTimeout=1s&maxIdleConnsPerHost=64")
	f.Fuzz(func(t *testing.T, raw string) {
		o, err := parseQuery(raw, DefaultOptions(), forwardParams)
		if err != nil {
			if msg := err.Error(); msg == "" || strings.Contains(msg, "\n") {
				t.Fatalf("parseQuery(%q): error %q, want one line", raw, msg)
			}
			return
		}
		switch {
		case !slices.Contains([]string{"new", "shared", "nethttp"}, o.Client),
			!slices.Contains([]string{"custom", "resty"}, o.Transport),
			!slices.Contains([]string{BodyRead, BodyLeaveOpen, BodyClose, BodyDrainClose}, o.Body),
			o.IdleConnTimeout < 0 || o.IdleConnTimeout > maxIdleConn,
			o.Timeout < 0 || o.Timeout > maxTimeout,
			o.Delay < 0 || o.Delay > MaxDelay,
			o.MaxIdleConnsPerHost < 0 || o.MaxIdleConnsPerHost > maxConnCount,
			o.MaxConnsPerHost < 0 || o.MaxConnsPerHost > maxConnCount:
			t.Fatalf("parseQuery(%q) = %+v: outside what the parameters accept", raw, o)
		}
	})
}

// checkReply fails unless the reply is JSON: an error with a message, or
// one of the shapes the seed shows.
func checkReply(t *testing.T, target string, w *httptest.ResponseRecorder, statuses ...int) {
	t.Helper()
	if !slices.Contains(statuses, w.Code) {
		t.Fatalf("%s: status %d, want one of %v; body %s", target, w.Code, statuses, w.Body)
	}
	var v map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("%s: %d %q is not JSON: %v", target, w.Code, w.Body, err)
	}
	if _, ok := v["goRoutines"].(float64); !ok {
		t.Fatalf("%s: %s has no goroutine count", target, w.Body)
	}
	if msg, _ := v["error"].(string); w.Code != http.StatusOK && msg == "" {
		t.Fatalf("%s: %d %s has no error message", target, w.Code, w.Body)
	}
}

func FuzzForward(f *testing.F) {
	f.Add("client=shared&body=leave-open&delay=1s")
	// Server 1 answers at once, whatever it is asked, so that no input can
	// make an iteration slow.
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"msg":"Hello World","goRoutines":1}`)
	}))
	defer ts.Close()
	u := mustURL(f, ts.URL)
	s := New(Config{UpstreamURL: u, MaxHeld: 100})
	defer s.clientConns.release()
	f.Fuzz(func(t *testing.T, raw string) {
		target := "/forward?" + raw
		req := httptest.NewRequest("GET", "/forward", nil)
		req.URL.RawQuery = raw
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		checkReply(t, target, w, 200, 400, 414, 429)
		s.clientConns.release() // what client=new leaks, each time
	})
}

func FuzzHello(f *testing.F) {
	f.Add("POST", "connClose=true&delay=10ms")
	s := New(Config{})
	f.Fuzz(func(t *testing.T, method, raw string) {
		req := httptest.NewRequest("GET", "/hello", nil)
		req.Method, req.URL.RawQuery = method, raw
		// A caller that gives up at once: a valid delay of up to 10s ends
		// there, and nobody gets a reply.
		ctx, cancel := context.WithTimeout(req.Context(), 20*time.Millisecond)
		defer cancel()
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req.WithContext(ctx))
		if w.Body.Len() == 0 && ctx.Err() != nil {
			return
		}
		checkReply(t, method+" /hello?"+raw, w, 200, 400, 405, 414)
	})
}
