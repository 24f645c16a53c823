package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"
)

// savedDump is server 2's goroutine profile, saved at one moment in the two
// text forms a probe asks for: debug=1, grouped by stack, and debug=2, one
// stack per goroutine, with wait times.
type savedDump struct {
	Goroutines     int // server 2's, as its /stats said when the dump was saved
	Debug1, Debug2 []byte
}

// makeDumps starts a lab pair and has server 2 leak connections until it
// holds each count of goroutines in sizes in turn, ascending (two per
// connection: a count is reached to within server 2's own few), saving its
// profile in both forms at each, in dir; then it stops the pair.
func makeDumps(ctx context.Context, exe, dir string, sizes []int) (dumps []savedDump, err error) {
	sizes = slices.Sorted(slices.Values(sizes))
	p, err := leakyPair(ctx, exe, dir, sizes[len(sizes)-1]/2)
	defer func() {
		if stopErr := p.Stop(); stopErr != nil && err == nil {
			err = stopErr
		}
	}()
	if err != nil {
		return nil, err
	}
	held := 0
	for _, g := range sizes {
		if err := leak(ctx, p, g/2-held); err != nil {
			return nil, err
		}
		held = g / 2
		st, err := p.Server2.Stats(ctx)
		if err != nil {
			return nil, err
		}
		d := savedDump{Goroutines: st.GoRoutines}
		for debug, form := range map[int]*[]byte{1: &d.Debug1, 2: &d.Debug2} {
			name := filepath.Join(dir, fmt.Sprintf("goroutines-%d-debug%d.txt", g, debug))
			if err := save(ctx, p.Server2, fmt.Sprintf("/debug/pprof/goroutine?debug=%d", debug), name); err != nil {
				return nil, err
			}
			if *form, err = os.ReadFile(name); err != nil {
				return nil, err
			}
		}
		dumps = append(dumps, d)
	}
	return dumps, nil
}

// dumpPath is where a target serves its dump, as net/http/pprof does.
const dumpPath = "/debug/pprof/goroutine"

// ServeHTTP answers GET /debug/pprof/goroutine?debug=1 or ?debug=2 with the
// dump in that form, as net/http/pprof would; any other form is a 400, any
// other path a 404.
func (d savedDump) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != dumpPath {
		http.NotFound(w, r)
		return
	}
	var body []byte
	switch r.URL.Query().Get("debug") {
	case "1":
		body = d.Debug1
	case "2":
		body = d.Debug2
	default:
		http.Error(w, "this target serves ?debug=1 and ?debug=2", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}

// targets are loopback HTTP servers in this process that serve one saved
// dump each, as so many services of a fleet would their own.
type targets struct {
	URLs []string // each target's dump URL, as a probe names it
	hss  []*http.Server
	wg   sync.WaitGroup // the Serve of each listener
}

// startTargets listens on n free loopback ports and serves d on each. Call
// close when done, whatever it returned.
func startTargets(n int, d savedDump) (*targets, error) {
	t := &targets{}
	for range n {
		if err := t.start(d); err != nil {
			return t, fmt.Errorf("start target %d of %d: %w", len(t.URLs)+1, n, err)
		}
	}
	return t, nil
}

// start serves h on one more free loopback port.
func (t *targets) start(h http.Handler) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute}
	t.hss = append(t.hss, hs)
	t.URLs = append(t.URLs, "http://"+ln.Addr().String()+dumpPath)
	t.wg.Go(func() { hs.Serve(ln) })
	return nil
}

// close stops every target and its connections, and returns once each has
// stopped serving.
func (t *targets) close() error {
	var errs []error
	for _, hs := range t.hss {
		if err := hs.Close(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	t.wg.Wait()
	return errors.Join(errs...)
}
