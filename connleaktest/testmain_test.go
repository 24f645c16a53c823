package connleaktest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

type fakeM func() int

func (f fakeM) Run() int { return f() }

// TestWrap judges what a package's tests leave, once they pass: their exit
// code stays when they fail, and turns to 1, with the failure written,
// when they leave a leak.
func TestWrap(t *testing.T) {
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") })
	get := func(c *http.Client, url string) {
		resp, err := c.Get(url)
		if err != nil {
			t.Error(err) // t is TestWrap's, and this runs in a subtest
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	calls := DefaultIdle() + 1
	outlives := httptest.NewServer(hello) // as a TestMain's would
	t.Cleanup(outlives.Close)
	for _, tt := range []struct {
		name string
		run  func() int
		code int
		says string
	}{
		{"failing tests", func() int { return 2 }, 2, ""},
		{"healthy tests", func() int {
			srv := httptest.NewServer(hello)
			defer srv.Close()
			for range 3 {
				get(http.DefaultClient, srv.URL)
			}
			return 0
		}, 0, ""},
		{"tests calling a server that outlives them", func() int {
			for range 3 {
				get(http.DefaultClient, outlives.URL)
			}
			return 0
		}, 0, ""},
		{"leaky tests", func() int {
			http.DefaultTransport.(*http.Transport).CloseIdleConnections() // the case before's
			srv := httptest.NewServer(hello)
			t.Cleanup(srv.Close)
			for range calls {
				// DELIBERATE LEAK: a client per call, closed once judged.
				c := &http.Client{Transport: &http.Transport{}} //connleak:ignore client-per-call the leak under test
				t.Cleanup(c.CloseIdleConnections)
				get(c, srv.URL)
			}
			return 0
		}, 1, "connleaktest: the tests left HTTP connections behind (waited 300ms for them to close):\n  idle-client-connections: " + strconv.Itoa(calls) + " idle client connections"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			code := wrapped{fakeM(tt.run), []Option{Deadline(300 * time.Millisecond)}, &stderr}.Run()
			if code != tt.code || !strings.Contains(stderr.String(), tt.says) || (tt.says == "") != (stderr.Len() == 0) {
				t.Errorf("exit code %d, want %d; wrote %q, want %q", code, tt.code, stderr.String(), tt.says)
			}
		})
	}
}
