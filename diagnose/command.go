package diagnose

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Command is `connleak diagnose [flags] SOURCE...`: it reads each goroutine
// dump (a file, - for stdin, or the URL of a running program's pprof
// goroutine endpoint) and says what HTTP connections it holds and why. A
// diagnosis, with or without findings, is a success; an error (a source
// that cannot be read, or that is not a goroutine dump) is not.
//
// A URL gets -timeout for its dump, and at most MaxFetch bytes; a file or
// standard input is read as it comes. A signal ends the command at once,
// whatever it is reading.
func Command(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("connleak diagnose", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage: connleak diagnose [-json] [-debug 2] [-timeout 1m] [-every 10s -samples 3] SOURCE...

SOURCE is a goroutine dump: a file, - for standard input, or the URL of a
running program's pprof goroutine endpoint, such as
http://localhost:6060/debug/pprof/goroutine. It reads runtime.Stack and
crash tracebacks, pprof's debug=0, debug=1 and debug=2, and goleak's message.

`)
		fs.PrintDefaults()
	}
	jsonOut := fs.Bool("json", false, "write JSON, one object per line and SOURCE")
	debug := fs.Int("debug", 2, "the form to ask a URL for: 2 (full stacks, with wait times and tracebackancestors; and, where it cannot say where connections were made, debug=1 too, for its pprof labels) or 1 (grouped, with labels, no wait times)")
	every := fs.Duration("every", 0, "with -samples, the `interval` between dumps of each URL")
	samples := fs.Int("samples", 1, "how many dumps to take of each URL, -every apart; with 2 or more, the growth of each count per minute")
	timeout := fs.Duration("timeout", time.Minute, "how long one dump of a URL may take, both forms (debug=2, then debug=1) included")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	sources := fs.Args()
	switch {
	case len(sources) == 0:
		return errors.New("diagnose takes one or more goroutine dumps: a file, - for standard input, or a pprof URL such as http://localhost:6060/debug/pprof/goroutine")
	case *debug != 1 && *debug != 2:
		return fmt.Errorf("-debug %d: accepts 1 or 2", *debug)
	case *samples < 1 || *samples > 1000:
		return fmt.Errorf("-samples %d: accepts 1 to 1000", *samples)
	case *samples > 1 && (*every <= 0 || *every > time.Hour):
		return fmt.Errorf("-every %v: with -samples %d, accepts a duration above 0 and up to 1h, such as 10s", *every, *samples)
	case *samples == 1 && *every != 0:
		return errors.New("-every goes with -samples 2 or more")
	case *timeout <= 0 || *timeout > time.Hour:
		return fmt.Errorf("-timeout %v: accepts a duration above 0 and up to 1h, such as 30s", *timeout)
	case len(slices.DeleteFunc(slices.Clone(sources), func(s string) bool { return s != "-" })) > 1:
		return errors.New("standard input (-) can be read once")
	}
	for _, src := range sources {
		if err := source(src).check(); err != nil {
			return err
		}
		if *samples > 1 && !source(src).isURL() {
			return fmt.Errorf("%s: -samples takes dumps of a running program: give its pprof URL", source(src).name())
		}
	}
	rd := reading{debug: *debug, timeout: *timeout, stdin: stdin}

	for i, src := range sources {
		if i > 0 && !*jsonOut {
			fmt.Fprintln(stdout)
		}
		if *samples > 1 {
			if err := rd.growth(ctx, source(src), *every, *samples, *jsonOut, stdout); err != nil {
				return err
			}
			continue
		}
		r, err := rd.diagnoseSource(ctx, source(src))
		if err != nil {
			return err
		}
		if err := write(stdout, r, *jsonOut); err != nil {
			return err
		}
	}
	return nil
}

// write writes r in words or as one line of JSON.
func write(w io.Writer, r Report, asJSON bool) error {
	if !asJSON {
		return r.WriteText(w, r.Source)
	}
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// reading is how Command reads its sources.
type reading struct {
	debug   int           // the form to ask a URL for
	timeout time.Duration // how long one URL may take, both forms included
	stdin   io.Reader
}

// diagnoseSource reads and diagnoses one source. From a URL it asks for
// debug=2, the form with wait times and tracebackancestors sections; where
// that cannot say where the connections were made, it asks for debug=1 too,
// whose pprof labels may, and takes the sites from it; both within one
// timeout.
func (rd reading) diagnoseSource(ctx context.Context, src source) (Report, error) {
	if !src.isURL() {
		return rd.diagnoseLocal(ctx, src)
	}
	ctx, cancel := context.WithTimeout(ctx, rd.timeout)
	defer cancel()
	r, err := rd.diagnoseURL(ctx, src, rd.debug)
	if err != nil || rd.debug != 2 || r.Sited || len(r.Findings) == 0 || strings.Contains(string(src), "debug=") {
		return r, err
	}
	labelled, err := rd.diagnoseURL(ctx, src, 1)
	if err != nil || !labelled.Sited {
		return r, nil // the debug=2 diagnosis stands on its own
	}
	for i, f := range r.Findings {
		if lf, ok := labelled.Finding(f.ID); ok && len(lf.Sites) > 0 {
			r.Findings[i].Sites = lf.Sites
			r.Sited = true
		}
	}
	return r, nil
}

// diagnoseURL fetches and diagnoses one dump of a URL in one form.
func (rd reading) diagnoseURL(ctx context.Context, src source, debug int) (Report, error) {
	rc, err := fetch(ctx, string(src), debug, rd.timeout, MaxFetch)
	if err != nil {
		return Report{}, err
	}
	defer rc.Close()
	return diagnoseFrom(rc, src)
}

// diagnoseLocal reads and diagnoses a file or standard input. The read runs
// on a goroutine of its own, so that a signal ends the command at once even
// while a read is blocked (a FIFO with no writer yet, a terminal): the
// command then returns, and the process exits, with that read still
// blocked; a read that can go on stops at its next call, as ctx is done.
func (rd reading) diagnoseLocal(ctx context.Context, src source) (Report, error) {
	type result struct {
		r   Report
		err error
	}
	done := make(chan result, 1)
	go func() {
		rc, err := openLocal(ctx, src, rd.stdin)
		if err != nil {
			done <- result{err: err}
			return
		}
		defer rc.Close()
		r, err := diagnoseFrom(rc, src)
		done <- result{r, err}
	}()
	select {
	case res := <-done:
		if res.err != nil && ctx.Err() != nil {
			res.err = fmt.Errorf("%s: %w", src.name(), errInterrupted)
		}
		return res.r, res.err
	case <-ctx.Done():
		return Report{}, fmt.Errorf("%s: %w", src.name(), errInterrupted)
	}
}

// diagnoseFrom diagnoses the dump rc holds, for src.
func diagnoseFrom(rc io.Reader, src source) (Report, error) {
	r, err := Read(rc)
	if err != nil {
		return Report{}, fmt.Errorf("%s: %w", src.name(), err)
	}
	r.Source = src.name()
	return r, nil
}
