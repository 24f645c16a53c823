package load

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Reply is one answer of a load run.
type Reply struct {
	Status int    // 0 where the request failed
	Body   []byte // or the error, where it failed
}

// Config says what Run sends.
type Config struct {
	URL       string
	N         int                  // requests in all; with Duration, at most (0: no limit)
	Duration  time.Duration        // if > 0, send until it is over
	C         int                  // at once; 1 sends them one after the other, like the Resty demo's curl loop
	KeepAlive bool                 // reuse connections; by default each request has its own, as with curl
	Out       io.Writer            // if not nil, each body is written to it on its own line
	Each      func(i int, r Reply) // if not nil, called after each reply, one call at a time
}

// Summary is what a load run did.
type Summary struct {
	Requests    int
	ByStatus    map[int]int // 0 counts the requests that failed
	Wall        time.Duration
	First, Last Reply           // in the order the replies came
	Latencies   []time.Duration // of every request, in the order they ended
}

// Percentile is the latency that p of the requests (0 < p <= 1) did not
// exceed.
func (s Summary) Percentile(p float64) time.Duration {
	if len(s.Latencies) == 0 {
		return 0
	}
	l := slices.Clone(s.Latencies)
	slices.Sort(l)
	i := int(float64(len(l))*p+0.5) - 1
	return l[min(max(i, 0), len(l)-1)]
}

// maxReply bounds what Run reads of one reply.
const maxReply = 1 << 20

// Run sends cfg.N GET requests to cfg.URL (or as many as cfg.Duration
// allows), cfg.C at a time, each on a new connection as curl does, so that
// the load itself holds none, unless cfg.KeepAlive. It stops early when ctx
// is done, and returns what it did then with ctx's error.
func Run(ctx context.Context, cfg Config) (Summary, error) {
	c := max(cfg.C, 1)
	tr := &http.Transport{DisableKeepAlives: !cfg.KeepAlive, MaxIdleConnsPerHost: c}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: time.Minute}

	var (
		mu   sync.Mutex // guards sum, next and the calls of Out and Each
		sum  = Summary{ByStatus: make(map[int]int)}
		next int
		wg   sync.WaitGroup
	)
	start := time.Now()
	more := func() bool {
		if cfg.Duration > 0 {
			return time.Since(start) < cfg.Duration && (cfg.N <= 0 || next < cfg.N)
		}
		return next < cfg.N
	}
	for range c {
		wg.Go(func() {
			for {
				mu.Lock()
				if !more() || ctx.Err() != nil {
					mu.Unlock()
					return
				}
				next++
				mu.Unlock()

				began := time.Now()
				r := get(ctx, client, cfg.URL)
				took := time.Since(began)

				mu.Lock()
				if r.Status == 0 && ctx.Err() != nil {
					mu.Unlock()
					return // interrupted, not a failure of the server
				}
				if sum.Requests == 0 {
					sum.First = r
				}
				sum.Last = r
				sum.ByStatus[r.Status]++
				sum.Latencies = append(sum.Latencies, took)
				if cfg.Out != nil {
					fmt.Fprintf(cfg.Out, "%s\n", r.Body)
				}
				if cfg.Each != nil {
					cfg.Each(sum.Requests, r)
				}
				sum.Requests++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	sum.Wall = time.Since(start)
	return sum, ctx.Err()
}

func get(ctx context.Context, client *http.Client, url string) Reply {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return Reply{Body: []byte("error: " + err.Error())}
	}
	resp, err := client.Do(req)
	if err != nil {
		return Reply{Body: []byte("error: " + err.Error())}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxReply))
	if err != nil {
		return Reply{Body: []byte("error: reading the reply: " + err.Error())}
	}
	return Reply{Status: resp.StatusCode, Body: b}
}

// String is the summary line: requests, answers by status, wall time, rate,
// and for /forward the first and last goroutine counts on both sides.
func (s Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d requests:", s.Requests)
	for i, status := range slices.Sorted(maps.Keys(s.ByStatus)) {
		sep := ","
		if i == 0 {
			sep = ""
		}
		name := fmt.Sprint(status)
		if status == 0 {
			name = "failed"
		}
		fmt.Fprintf(&b, "%s %d %s", sep, s.ByStatus[status], name)
	}
	rate := 0.0
	if s.Wall > 0 {
		rate = float64(s.Requests) / s.Wall.Seconds()
	}
	fmt.Fprintf(&b, "; %v, %.0f req/s, p50 %v, p99 %v", s.Wall.Round(time.Millisecond), rate,
		s.Percentile(0.5).Round(time.Microsecond), s.Percentile(0.99).Round(time.Microsecond))
	if f2, f1, ok := counts(s.First.Body); ok {
		if l2, l1, ok := counts(s.Last.Body); ok {
			fmt.Fprintf(&b, "; goroutines: server 2 %d -> %d, server 1 %s -> %s", f2, l2, f1, l1)
		}
	}
	return b.String()
}

// counts reads the goroutine counts of a /forward reply; server 1's is "-"
// where the reply has none.
func counts(body []byte) (server2 int, server1 string, ok bool) {
	var r struct {
		GoRoutines      *int `json:"goRoutines"`
		Server1Response *struct {
			GoRoutines int `json:"goRoutines"`
		} `json:"Server1Response"`
	}
	if json.Unmarshal(body, &r) != nil || r.GoRoutines == nil || !strings.Contains(string(body), `"Server1Response"`) {
		return 0, "", false
	}
	server1 = "-"
	if r.Server1Response != nil {
		server1 = fmt.Sprint(r.Server1Response.GoRoutines)
	}
	return *r.GoRoutines, server1, true
}
