package connleaktest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime/pprof"
	"strconv"
	"testing"
	"time"

	"github.com/connleak/connleak/internal/poll"
	"github.com/connleak/connleak/internal/testutil"
)

// BenchmarkCheck times one passing check, find as Check's cleanup runs it,
// in a process of 1,000 and of 10,000 other goroutines: parked on a
// channel with no labels, one group of the goroutine profile, or each with
// labels of its own, as if each were another check's, one group each (the
// most a profile of that many goroutines has to read). The check's own
// test holds one idle connection of a shared client, which it passes.
func BenchmarkCheck(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		for _, labels := range []string{"none", "each"} {
			b.Run(fmt.Sprintf("goroutines=%d/labels=%s", n, labels), func(b *testing.B) {
				park(b, n, labels == "each")
				s := pooled(b)
				c := newConfig(nil, false)
				// The check judges its connection, and no parked goroutine,
				// once the dial's goroutine has gone.
				if err := poll.Until(5*time.Second, func() error {
					r, err := s.diagnose(writeProfile, 1, nil)
					if err != nil {
						return err
					}
					if r.Client.Idle != 1 || r.Goroutines != 2 {
						return fmt.Errorf("the check sees %d goroutines, %d idle client connections; want 2, 1", r.Goroutines, r.Client.Idle)
					}
					return nil
				}); err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					if err := find(s, c); err != nil {
						b.Fatalf("a healthy pool failed: %v", err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e6/float64(b.N), "ms/check")
			})
		}
	}
}

// BenchmarkStart times what Check adds at a test's start (pooled.go),
// in the processes of BenchmarkCheck: from=lastlook, where no goroutine
// but the test's own has started since the last look of a check, which
// says what the pools hold; from=profile, where others have (a test run
// without Check, a parallel one), this process's goroutine profile at
// debug=1, kept for the test's end.
func BenchmarkStart(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		for _, labels := range []string{"none", "each"} {
			for _, from := range []string{"lastlook", "profile"} {
				b.Run(fmt.Sprintf("goroutines=%d/labels=%s/from=%s", n, labels, from), func(b *testing.B) {
					park(b, n, labels == "each")
					if _, err := (scope{who: b.Name(), check: "none"}).diagnose(nil, 0, nil); err != nil {
						b.Fatal(err)
					}
					b.ReportAllocs()
					start := startPool
					if from == "profile" {
						start = profilePool
					}
					for b.Loop() {
						if p := start(); (p.profile != nil) != (from == "profile") {
							b.Fatalf("from %s, a profile written: %v", from, p.profile != nil)
						}
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e6/float64(b.N), "ms/start")
				})
			}
		}
	}
}

// park starts n goroutines blocked on a channel, each with labels of its
// own, as if each were another check's, if labelled.
func park(b testing.TB, n int, labelled bool) {
	b.Helper()
	var labels func(int) []string
	if labelled {
		labels = func(i int) []string { return []string{LabelTest, "parked", LabelCheck, "parked-" + strconv.Itoa(i)} }
	}
	testutil.Park(b, n, labels)
}

// pooled leaves one idle connection of a shared client to an httptest
// server, dialled by a goroutine labelled as Check labels a test's, and
// returns that check's scope, with the pools of the process as Check
// notes them first. The server's goroutines are not the check's.
func pooled(b testing.TB) scope {
	b.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") }))
	b.Cleanup(srv.Close)
	client := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	b.Cleanup(client.CloseIdleConnections)

	s := scope{who: b.Name(), check: strconv.FormatInt(checks.Add(1), 10), pool: startPool()}
	errc := make(chan error, 1)
	go func() {
		s.goid = goid()
		pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), pprof.Labels(LabelTest, s.who, LabelCheck, s.check)))
		resp, err := client.Get(srv.URL)
		if err == nil {
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		errc <- err
	}()
	if err := <-errc; err != nil {
		b.Fatal(err)
	}
	return s
}
