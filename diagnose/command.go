package diagnose

import (
	"connleak/internal/labca"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"
)

// fetchTimeout bounds the fetch of one dump from a URL.
const fetchTimeout = time.Minute

// Command is `connleak diagnose [flags] SOURCE...`: it reads each goroutine
// dump (a file, - for stdin, or the URL of a running program's pprof
// goroutine endpoint) and says what HTTP connections it holds and why. A
// diagnosis, with or without findings, is a success; an error (a source
// that cannot be read, or that is not a goroutine dump) is not.
func Command(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("connleak diagnose", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage: connleak diagnose [-json] [-debug 2] [-every 10s -samples 3] SOURCE...

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
	}
	for _, src := range sources {
		if *samples > 1 && !isURL(src) {
			return fmt.Errorf("%s: -samples takes dumps of a running program: give its pprof URL", src)
		}
		if src == "-" && len(slices.DeleteFunc(slices.Clone(sources), func(s string) bool { return s != "-" })) > 1 {
			return errors.New("standard input (-) can be read once")
		}
	}

	for i, src := range sources {
		if i > 0 && !*jsonOut {
			fmt.Fprintln(stdout)
		}
		if *samples > 1 {
			if err := growth(ctx, src, *debug, *every, *samples, *jsonOut, stdout); err != nil {
				return err
			}
			continue
		}
		r, err := diagnoseSource(ctx, src, *debug, stdin)
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

// diagnoseSource reads and diagnoses one source. From a URL it asks for
// debug=2, the form with wait times and tracebackancestors sections; where
// that cannot say where the connections were made, it asks for debug=1 too,
// whose pprof labels may, and takes the sites from it.
func diagnoseSource(ctx context.Context, src string, debug int, stdin io.Reader) (Report, error) {
	r, err := diagnoseOne(ctx, src, debug, stdin)
	if err != nil || !isURL(src) || debug != 2 || r.Sited || len(r.Findings) == 0 || strings.Contains(src, "debug=") {
		return r, err
	}
	labelled, err := diagnoseOne(ctx, src, 1, nil)
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

// diagnoseOne reads and diagnoses one source in one form.
func diagnoseOne(ctx context.Context, src string, debug int, stdin io.Reader) (Report, error) {
	var (
		rc  io.ReadCloser
		err error
	)
	switch {
	case src == "-":
		rc = io.NopCloser(stdin)
	case isURL(src):
		rc, err = fetch(ctx, src, debug)
	default:
		rc, err = os.Open(src)
	}
	if err != nil {
		return Report{}, err
	}
	defer rc.Close()
	r, err := Read(rc)
	if err != nil {
		return Report{}, fmt.Errorf("%s: %w", src, err)
	}
	r.Source = src
	if src == "-" {
		r.Source = "standard input"
	}
	return r, nil
}

func isURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// fetch GETs a goroutine dump from a pprof URL, asking for debug unless the
// URL says which form it wants.
func fetch(ctx context.Context, raw string, debug int) (io.ReadCloser, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("%q: not a URL such as http://localhost:6060/debug/pprof/goroutine", raw)
	}
	q := u.Query()
	if !q.Has("debug") {
		q.Set("debug", fmt.Sprint(debug))
		u.RawQuery = q.Encode()
	}
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		cancel()
		return nil, err
	}
	// One connection for one dump, closed after: the diagnosis leaves
	// nothing open in the program it reads, nor in this one. Over https it
	// trusts the system's roots, and the lab CA for a loopback host, so
	// that it reads the lab's own TLS servers.
	req.Close = true
	roots, err := x509.SystemCertPool()
	if err != nil {
		roots = x509.NewCertPool()
	}
	if labca.Trusts(u.Hostname()) {
		if ca, _, err := labca.CA(); err == nil {
			roots.AddCert(ca)
		}
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true, Proxy: http.ProxyFromEnvironment, TLSClientConfig: &tls.Config{RootCAs: roots}}}
	resp, err := client.Do(req)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("GET %s: %w", u.Redacted(), err)
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
		resp.Body.Close()
		cancel()
		return nil, fmt.Errorf("GET %s: %s: %q", u.Redacted(), resp.Status, b)
	}
	return readCloser{resp.Body, cancel}, nil
}

// readCloser closes a response body and cancels its request's context.
type readCloser struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (rc readCloser) Close() error {
	defer rc.cancel()
	return rc.ReadCloser.Close()
}
