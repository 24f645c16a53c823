package load

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/connleak/connleak/connleaktest"
	"github.com/connleak/connleak/diagnose"
)

// TestMain fails the package if its tests leave a goroutine or an HTTP
// connection behind: goleak judges every goroutine but those of HTTP
// connections, and connleaktest those, allowing none, not even an idle one
// in a shared pool.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(connleaktest.Wrap(m, connleaktest.Allow(diagnose.IdleClientConnections, 0)), connleaktest.GoleakOptions()...)
}

func TestSummary(t *testing.T) {
	s := Summary{
		Requests: 400, ByStatus: map[int]int{200: 398, 502: 2}, Wall: 3510 * time.Millisecond,
		First: Reply{200, []byte(`{"goRoutines":7,"Server1Response":{"msg":"Hello World","goRoutines":5},"connReused":false}`)},
		Last:  Reply{200, []byte(`{"goRoutines":805,"Server1Response":null,"connReused":false}`)},
	}
	for i := range 100 {
		s.Latencies = append(s.Latencies, time.Duration(100-i)*time.Millisecond)
	}
	want := "400 requests: 398 200, 2 502; 3.51s, 114 req/s, p50 50ms, p99 99ms; goroutines: server 2 7 -> 805, server 1 5 -> -"
	if got := s.String(); got != want {
		t.Errorf("summary\n got %q\nwant %q", got, want)
	}
	s.Last = Reply{0, []byte("error: connection refused")}
	if got := s.String(); strings.Contains(got, "goroutines") {
		t.Errorf("summary %q: counts from a reply that has none", got)
	}
}

// TestRun checks what Run sends: how many requests, on how many
// connections, and what it hands to Out and Each.
func TestRun(t *testing.T) {
	tests := []struct {
		name      string
		cfg       Config
		requests  int
		maxConns  int // at most: a connection per request where keep-alive is off; with it, fewer than the requests (a call that finds no idle connection dials, and a dial can race a connection coming back, so not exactly C)
		minConns  int
		wantLines int
	}{
		{"one after the other, a connection each", Config{N: 10, C: 1}, 10, 10, 10, 10},
		{"four at once, a connection each", Config{N: 20, C: 4}, 20, 20, 20, 20},
		{"four at once, kept alive", Config{N: 20, C: 4, KeepAlive: true}, 20, 10, 1, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var conns atomic.Int64
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, `{"goRoutines":1}`)
			}))
			srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
				if s == http.StateNew {
					conns.Add(1)
				}
			}
			srv.Start()
			defer srv.Close()

			var out strings.Builder
			var each []int
			cfg := tt.cfg
			cfg.URL, cfg.Out = srv.URL, &out
			cfg.Each = func(i int, r Reply) { each = append(each, i) }
			sum, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Requests != tt.requests || sum.ByStatus[200] != tt.requests || len(sum.Latencies) != tt.requests {
				t.Errorf("%d requests, %v, %d latencies; want %d answered 200", sum.Requests, sum.ByStatus, len(sum.Latencies), tt.requests)
			}
			if n := int(conns.Load()); n < tt.minConns || n > tt.maxConns {
				t.Errorf("%d connections, want %d to %d", n, tt.minConns, tt.maxConns)
			}
			if n := strings.Count(out.String(), `{"goRoutines":1}`+"\n"); n != tt.wantLines {
				t.Errorf("Out has %d reply lines, want %d", n, tt.wantLines)
			}
			for i, got := range each {
				if got != i {
					t.Fatalf("Each called with %v, want 0 to %d in order", each, tt.requests-1)
				}
			}
			if len(each) != tt.requests {
				t.Errorf("Each called %d times, want %d", len(each), tt.requests)
			}
		})
	}
}

// TestRunDuration checks that a duration bounds a run with no count, and
// that a done context stops it with the context's error.
func TestRunDuration(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	start := time.Now()
	sum, err := Run(context.Background(), Config{URL: srv.URL, Duration: 200 * time.Millisecond, C: 2, KeepAlive: true})
	if err != nil || sum.Requests == 0 || time.Since(start) > 5*time.Second {
		t.Errorf("a 200ms run: %d requests in %v, %v; want some, and an end", sum.Requests, time.Since(start), err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if sum, err := Run(ctx, Config{URL: srv.URL, N: 1000}); err != context.Canceled || sum.Requests != 0 {
		t.Errorf("a cancelled run: %d requests, %v; want none, and context.Canceled", sum.Requests, err)
	}
}
