package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/connleak/connleak/internal/lab/demo"
)

// ProbeCostResult is what ProbeCost measured: what one fetch of each form
// of the goroutine profile costs the process that serves it.
type ProbeCostResult struct {
	Goroutines int        // the process's goroutines while measured
	Rounds     int        // fetches of each form, interleaved
	Forms      []FormCost // debug=0, 1 and 2, in that order
}

// FormCost is what the fetches of one form of /debug/pprof/goroutine cost
// the process serving them.
type FormCost struct {
	// Debug is the form: 0 (gzipped protobuf) and 1 (text, a stack and a
	// count per group) are written from the runtime's goroutine profile,
	// collected while the world runs; 2 (text, every goroutine's stack and
	// state) is written with the world stopped.
	Debug int
	Size  int           // median bytes of the reply
	Wall  time.Duration // median of a fetch, its reply read to the end
	// CPU is the user and system time the process used over all the
	// fetches, divided by them; -1 where there is no /proc to read it
	// from (Linux only).
	CPU time.Duration
	// Pauses are the stop-the-world pauses other than the GC's that the
	// fetches added to the runtime's /sched/pauses/total/other:seconds, as
	// the process's /metrics has it (go_sched_pauses_total_other_seconds,
	// in buckets a power of ten apart), over all the fetches.
	Pauses Pauses
	// Hello is the median, over other fetches of the form, of the longest
	// a GET /hello took during one, those sent one after the other on a
	// connection of their own while it ran: what a stop of the world costs
	// the process's callers, to the millisecond where the histogram has
	// only its power of ten.
	Hello time.Duration
}

// pauseHistogram is the series of /sched/pauses/total/other:seconds in a
// lab server's /metrics.
const pauseHistogram = "go_sched_pauses_total_other_seconds"

// maxMetrics bounds what ProbeCost reads of a /metrics reply.
const maxMetrics = 4 << 20

// ProbeCost fetches in's /debug/pprof/goroutine (server 2 of a pair Leak
// started) with debug=0, 1 and 2, rounds times each, interleaved, each round
// starting with the next form, and measures what each fetch costs in: its
// CPU time, from /proc/PID/stat before and after; its stop-the-world
// pauses, from its /metrics before and after; the fetch's wall time and
// the reply's size. Then, in the same round, it fetches each form again
// with GET /hello sent to in meanwhile, and times the slowest of those.
func ProbeCost(ctx context.Context, in *demo.Instance, rounds int) (ProbeCostResult, error) {
	r := ProbeCostResult{Rounds: rounds, Forms: []FormCost{{Debug: 0}, {Debug: 1}, {Debug: 2}}}
	walls := make([][]time.Duration, len(r.Forms))
	sizes := make([][]int, len(r.Forms))
	hellos := make([][]time.Duration, len(r.Forms))
	cpu := make([]time.Duration, len(r.Forms))
	for round := range rounds {
		for k := range r.Forms {
			i := (round + k) % len(r.Forms)
			f, err := fetchCost(ctx, in, r.Forms[i].Debug, &r.Forms[i].Pauses)
			if err != nil {
				return r, fmt.Errorf("debug=%d: %w", r.Forms[i].Debug, err)
			}
			walls[i], sizes[i] = append(walls[i], f.wall), append(sizes[i], f.size)
			cpu[i] += f.cpu
		}
		for k := range r.Forms {
			i := (round + k) % len(r.Forms)
			worst, err := worstHello(ctx, in, r.Forms[i].Debug)
			if err != nil {
				return r, fmt.Errorf("debug=%d with /hello meanwhile: %w", r.Forms[i].Debug, err)
			}
			hellos[i] = append(hellos[i], worst)
		}
	}
	for i := range r.Forms {
		r.Forms[i].Wall, r.Forms[i].Size, r.Forms[i].Hello = medianOf(walls[i]), medianOf(sizes[i]), medianOf(hellos[i])
		r.Forms[i].CPU = cpu[i] / time.Duration(rounds)
		if runtime.GOOS != "linux" {
			r.Forms[i].CPU = -1
		}
	}
	st, err := in.Stats(ctx)
	if err != nil {
		return r, err
	}
	r.Goroutines = st.GoRoutines
	return r, nil
}

// fetch is what one fetch cost.
type fetch struct {
	wall time.Duration
	size int
	cpu  time.Duration // 0 where there is no /proc
}

// fetchCost fetches in's goroutine profile in the form debug, reads in's
// CPU time just before and after, and its pause histogram before and after
// that, and adds the pauses between to p.
func fetchCost(ctx context.Context, in *demo.Instance, debug int, p *Pauses) (f fetch, err error) {
	before, err := pauses(ctx, in)
	if err != nil {
		return f, err
	}
	cpu0, err := cpuOf(in.PID())
	if err != nil {
		return f, err
	}
	if f.wall, f.size, err = timeGet(ctx, in, fmt.Sprintf("/debug/pprof/goroutine?debug=%d", debug)); err != nil {
		return f, err
	}
	cpu1, err := cpuOf(in.PID())
	if err != nil {
		return f, err
	}
	after, err := pauses(ctx, in)
	if err != nil {
		return f, err
	}
	added, err := after.added(before)
	if err != nil {
		return f, fmt.Errorf("%s: %w", pauseHistogram, err)
	}
	p.add(after, added)
	f.cpu = cpu1 - cpu0
	return f, nil
}

// worstHello fetches in's goroutine profile in the form debug while GET
// /hello goes to in, one after the other on one kept-alive connection, and
// returns the longest a /hello took, the one under way as the fetch ended
// included.
func worstHello(ctx context.Context, in *demo.Instance, debug int) (time.Duration, error) {
	tr := &http.Transport{MaxIdleConnsPerHost: 1}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	hello := func() (time.Duration, error) {
		start := time.Now()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, in.URL+"/hello", nil)
		if err != nil {
			return 0, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			return 0, err
		}
		if resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("GET /hello: %s", resp.Status)
		}
		return time.Since(start), nil
	}
	if _, err := hello(); err != nil { // open the connection first
		return 0, err
	}
	done := make(chan struct{})
	var worst time.Duration
	var helloErr error
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			took, err := hello()
			if err != nil {
				helloErr = err
				return
			}
			worst = max(worst, took)
		}
	})
	_, _, err := timeGet(ctx, in, fmt.Sprintf("/debug/pprof/goroutine?debug=%d", debug))
	close(done)
	wg.Wait()
	return worst, errors.Join(err, helloErr)
}

// cpuOf is procCPU where there is a /proc, else 0.
func cpuOf(pid int) (time.Duration, error) {
	if runtime.GOOS != "linux" {
		return 0, nil
	}
	return procCPU(pid)
}

// pauses reads in's histogram of stop-the-world pauses from its /metrics.
func pauses(ctx context.Context, in *demo.Instance) (histogram, error) {
	var h histogram
	err := in.Get(ctx, "/metrics", func(r io.Reader) error {
		b, err := io.ReadAll(io.LimitReader(r, maxMetrics))
		if err != nil {
			return err
		}
		h, err = parseHistogram(b, pauseHistogram)
		return err
	})
	return h, err
}

// WriteProbeCost writes r as a table, one row per form, its costs per
// fetch.
func WriteProbeCost(w io.Writer, r ProbeCostResult) error {
	if _, err := fmt.Fprintf(w, "\nwhat one GET /debug/pprof/goroutine costs server 2 at %d goroutines, by form: its CPU time (/proc, Linux only), its stop-the-world pauses (its /metrics) and a concurrent /hello's worst latency, over %d interleaved rounds:\n",
		r.Goroutines, r.Rounds); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FORM\tBYTES\tWALL\tCPU\tPAUSES\tLARGEST PAUSE\tPAUSE TOTAL\tWORST /hello")
	for _, f := range r.Forms {
		cpu := "-"
		if f.CPU >= 0 {
			cpu = millis(f.CPU, 1)
		}
		n := float64(r.Rounds)
		fmt.Fprintf(tw, "debug=%d\t%s\t%s\t%s\t%.1f\t%s\t%s\t%s\n", f.Debug, size(f.Size), millis(f.Wall, 1), cpu,
			float64(f.Pauses.Count)/n, bounds(f.Pauses.Largest, f.Pauses.Count), bounds([2]float64{f.Pauses.Total[0] / n, f.Pauses.Total[1] / n}, f.Pauses.Count),
			millis(f.Hello, 1))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, "Per fetch: BYTES, WALL medians; CPU, PAUSES, PAUSE TOTAL means. A pause is known to its histogram bucket, a power of ten wide: LARGEST PAUSE is the\n"+
		"highest bucket a fetch added to, PAUSE TOTAL the sum of the pauses' lower bounds to that of their upper bounds. WORST /hello: the slowest of the\n"+
		"GET /hello sent one after the other during another fetch, median.")
	return err
}

// bounds writes a range of seconds: "-" where there was no pause, "<high"
// from 0, ">low" to +Inf, else "low-high".
func bounds(b [2]float64, count int) string {
	switch {
	case count == 0:
		return "-"
	case b[0] == 0:
		return "<" + seconds(b[1])
	case math.IsInf(b[1], 1):
		return ">" + seconds(b[0])
	}
	return seconds(b[0]) + "-" + seconds(b[1])
}

// seconds writes s seconds to three significant digits, in ns, µs, ms or
// s.
func seconds(s float64) string {
	for _, u := range []struct {
		unit string
		in   float64
	}{{"ns", 1e-9}, {"µs", 1e-6}, {"ms", 1e-3}} {
		if v := s / u.in; v < 999.5 {
			return strings.TrimSuffix(fmt.Sprintf("%.3g", v), ".0") + u.unit
		}
	}
	return fmt.Sprintf("%.3gs", s)
}

// size writes n bytes in B, kB or MB.
func size(n int) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1e6:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}
