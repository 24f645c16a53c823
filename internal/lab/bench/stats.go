package bench

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/connleak/connleak/internal/lab/demo"
)

// StatsResult is what Stats measured: the cost of /stats on a process with
// many goroutines, next to pprof's own grouped goroutine profile (debug=1)
// on the same process.
type StatsResult struct {
	Goroutines int           // server 2's goroutines while measured
	Rounds     int           // each measure's runs, interleaved
	Stats      time.Duration // median of GET /stats
	Debug1     time.Duration // median of GET /debug/pprof/goroutine?debug=1
	Debug2     time.Duration // median of GET /debug/pprof/goroutine?debug=2, for scale
	Debug2Size int           // bytes of that dump
	Burst      time.Duration // median time for 64 concurrent /stats to all answer
	Dump       string        // a file with server 2's debug=2 dump, for Diagnose
}

// statsBurst is how many /stats Stats sends at once.
const statsBurst = 64

// Stats times in's /stats (server 2 of a pair Leak started), its debug=1
// and debug=2 goroutine profiles, and a burst of 64 concurrent /stats,
// rounds times each, interleaved. It saves in's debug=2 dump in dir.
func Stats(ctx context.Context, in *demo.Instance, dir string, rounds int) (StatsResult, error) {
	var r StatsResult
	var stats, d1, d2, burst []time.Duration
	for range rounds {
		took, _, err := timeGet(ctx, in, "/stats")
		if err != nil {
			return r, err
		}
		stats = append(stats, took)
		if took, _, err = timeGet(ctx, in, "/debug/pprof/goroutine?debug=1"); err != nil {
			return r, err
		}
		d1 = append(d1, took)
		if took, r.Debug2Size, err = timeGet(ctx, in, "/debug/pprof/goroutine?debug=2"); err != nil {
			return r, err
		}
		d2 = append(d2, took)
		start := time.Now()
		var wg sync.WaitGroup
		errs := make([]error, statsBurst)
		for i := range statsBurst {
			wg.Go(func() { _, _, errs[i] = timeGet(ctx, in, "/stats") })
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return r, err
			}
		}
		burst = append(burst, time.Since(start))
	}
	st, err := in.Stats(ctx)
	if err != nil {
		return r, err
	}
	dump := filepath.Join(dir, fmt.Sprintf("goroutines-%d.txt", st.GoRoutines))
	if err := save(ctx, in, "/debug/pprof/goroutine?debug=2", dump); err != nil {
		return r, err
	}
	return StatsResult{
		Goroutines: st.GoRoutines, Rounds: rounds,
		Stats: medianOf(stats), Debug1: medianOf(d1), Debug2: medianOf(d2), Debug2Size: r.Debug2Size, Burst: medianOf(burst),
		Dump: dump,
	}, nil
}

// save writes what a GET of path on in answers to the file name.
func save(ctx context.Context, in *demo.Instance, path, name string) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := in.Get(ctx, path, func(r io.Reader) error { _, err := io.Copy(f, r); return err }); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	return f.Close()
}

// timeGet is how long a GET of path on in takes, body read to the end, and
// the body's size; anything but 200 is an error.
func timeGet(ctx context.Context, in *demo.Instance, path string) (took time.Duration, size int, err error) {
	start := time.Now()
	err = in.Get(ctx, path, func(r io.Reader) error {
		n, err := io.Copy(io.Discard, r)
		size = int(n)
		return err
	})
	return time.Since(start), size, err
}

// millis writes d in milliseconds, with that many decimals.
func millis(d time.Duration, decimals int) string {
	return fmt.Sprintf("%.*fms", decimals, float64(d)/float64(time.Millisecond))
}

// medianOf is the median of vs, or its upper middle.
func medianOf[T cmp.Ordered](vs []T) T {
	s := slices.Clone(vs)
	slices.Sort(s)
	return s[len(s)/2]
}

// WriteStats writes r as a few lines, with /stats as a ratio to
// debug=1.
func WriteStats(w io.Writer, r StatsResult) error {
	_, err := fmt.Fprintf(w, "\n/stats on server 2 at %d goroutines, medians of %d interleaved rounds:\n"+
		"  GET /stats                                %s\n"+
		"  GET /debug/pprof/goroutine?debug=1        %s\n"+
		"  /stats vs debug=1                         %.2fx\n"+
		"  %d concurrent GET /stats, all answered    %s\n"+
		"  GET /debug/pprof/goroutine?debug=2        %s (%.1f MB)\n",
		r.Goroutines, r.Rounds, millis(r.Stats, 1), millis(r.Debug1, 1), float64(r.Stats)/float64(r.Debug1),
		statsBurst, millis(r.Burst, 1), millis(r.Debug2, 1), float64(r.Debug2Size)/1e6)
	return err
}
