package diagnose

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// reading is how Source and Watch read their sources: Options, checked.
type reading struct {
	debug   int           // the form to ask a URL for
	timeout time.Duration // how long one URL may take, both forms included
	roots   *x509.CertPool
	stdin   io.Reader
	binary  *Binary // the program's executable, or nil
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
	rc, err := fetch(ctx, string(src), debug, rd.timeout, rd.roots, MaxFetch)
	if err != nil {
		return Report{}, err
	}
	defer rc.Close()
	return rd.diagnoseFrom(ctx, rc, src)
}

// diagnoseLocal reads and diagnoses a file or standard input. The read runs
// on a goroutine of its own, so that the end of ctx (a signal, in a
// command) returns at once even while a read is blocked (a FIFO with no
// writer yet, a terminal), that read still blocked; a read that can go on
// stops at its next call, as ctx is done.
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
		r, err := rd.diagnoseFrom(ctx, rc, src)
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

// diagnoseFrom diagnoses the dump rc holds, for src, within ctx.
func (rd reading) diagnoseFrom(ctx context.Context, rc io.Reader, src source) (Report, error) {
	d := Diagnosis{Binary: rd.binary}
	r, err := d.read(ctx, rc)
	if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		err = timedOut(ctx, err, rd.timeout) // what ended the read, said as the fetch says it
	}
	if err != nil {
		return Report{}, fmt.Errorf("%s: %w", src.name(), err)
	}
	r.Source = src.name()
	return r, nil
}
