package diagnose

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"
)

// MaxFetch bounds what a URL may send for one dump, as it arrives: a text
// dump of a million goroutines is under 1 GiB. A reply the server
// compressed with Content-Encoding is not decompressed on the way (the
// request asks for none), so it reaches the dump reader as gzip, within
// that reader's own bounds.
const MaxFetch = 1 << 30

// Options are how Source and Watch read a dump. The zero value reads as
// the connleak command does by default.
type Options struct {
	// Debug is the form asked of a URL that does not say which it wants
	// (with ?debug=): 2, the default, full stacks with wait times and
	// tracebackancestors sections, and, where that cannot say where the
	// connections were made, debug=1 too, for its pprof labels; or 1,
	// grouped stacks with labels and no wait times.
	Debug int
	// Timeout bounds one dump of a URL, both forms included: a minute if
	// 0. A file or standard input is read as it comes.
	Timeout time.Duration
	// RootCAs are the certificate authorities an https URL's server may
	// chain to: the system's roots if nil.
	RootCAs *x509.CertPool
	// Stdin is what the source "-" reads: os.Stdin if nil.
	Stdin io.Reader
	// Binary, if not nil, is the executable of the program the dumps are
	// of (Diagnosis.Binary): their sites then name their calls' own lines.
	Binary *Binary
}

// reading is the options checked, with their defaults in place.
func (o Options) reading() (reading, error) {
	rd := reading{debug: o.Debug, timeout: o.Timeout, roots: o.RootCAs, stdin: o.Stdin, binary: o.Binary}
	switch {
	case rd.debug == 0:
		rd.debug = 2
	case rd.debug != 1 && rd.debug != 2:
		return reading{}, fmt.Errorf("debug %d: accepts 1 or 2", o.Debug)
	}
	switch {
	case rd.timeout == 0:
		rd.timeout = time.Minute
	case rd.timeout < 0:
		return reading{}, fmt.Errorf("timeout %v: accepts a duration above 0", o.Timeout)
	}
	if rd.stdin == nil {
		rd.stdin = os.Stdin
	}
	return rd, nil
}

// Source reads and diagnoses one goroutine dump: src is a file, - for
// standard input, or the URL of a running program's pprof goroutine
// endpoint, such as http://localhost:6060/debug/pprof/goroutine. The
// report's Source names it, a URL's password redacted. A URL gets
// opts.Timeout for its dump, and at most MaxFetch bytes, over one
// connection closed after; the end of ctx ends a read at once, whatever it
// is reading.
func Source(ctx context.Context, src string, opts Options) (Report, error) {
	rd, err := opts.reading()
	if err != nil {
		return Report{}, err
	}
	if err := CheckSource(src); err != nil {
		return Report{}, err
	}
	return rd.diagnoseSource(ctx, source(src))
}

// IsURL reports whether src is an http or https URL, in any case: a
// source Watch can take dumps of.
func IsURL(src string) bool { return source(src).isURL() }

// CheckSource refuses a source Source cannot read, a URL of another
// scheme than http and https, rather than taking it for a file name.
func CheckSource(src string) error { return source(src).check() }

// SourceName is how a report names src: "standard input" for -, a URL
// with its password redacted, or the file name.
func SourceName(src string) string { return source(src).name() }

// source is one SOURCE argument: a file, - for standard input, or a URL.
type source string

// scheme matches a URL's scheme and its "://".
var scheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://`)

// isURL reports whether s is an http or https URL, in any case.
func (s source) isURL() bool {
	lower := strings.ToLower(string(s))
	return strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://")
}

// check refuses a URL of a scheme diagnose does not read, rather than
// taking it for a file name.
func (s source) check() error {
	if !s.isURL() && scheme.MatchString(string(s)) {
		return fmt.Errorf("%s: a URL diagnose cannot read: it accepts http:// and https:// URLs, a file, or - for standard input", s.name())
	}
	return nil
}

// name is how the source is shown: "standard input", a URL with its
// password redacted, or the file name.
func (s source) name() string {
	switch {
	case s == "-":
		return "standard input"
	case scheme.MatchString(string(s)):
		if u, err := url.Parse(string(s)); err == nil {
			return u.Redacted()
		}
		return regexp.MustCompile(`://[^@/]*@`).ReplaceAllString(string(s), "://xxxxx@")
	}
	return string(s)
}

// openLocal opens a file, or standard input, for reading under ctx: each
// read fails once ctx is done.
func openLocal(ctx context.Context, s source, stdin io.Reader) (io.ReadCloser, error) {
	if s == "-" {
		return ctxReader{ctx, io.NopCloser(stdin)}, nil
	}
	f, err := os.Open(string(s))
	if err != nil {
		return nil, err
	}
	return ctxReader{ctx, f}, nil
}

// ctxReader fails its reads once ctx is done.
type ctxReader struct {
	ctx context.Context
	io.ReadCloser
}

func (r ctxReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.ReadCloser.Read(p)
}

// errInterrupted is the error of a read a signal cut short.
var errInterrupted = errors.New("interrupted before the dump was read")

// fetch GETs a goroutine dump from a pprof URL, asking for debug unless the
// URL says which form it wants, within ctx and at most limit bytes, trusting
// roots (the system's if nil) over https. timeout is ctx's, to say so when
// it runs out.
func fetch(ctx context.Context, raw string, debug int, timeout time.Duration, roots *x509.CertPool, limit int64) (io.ReadCloser, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("%q: not a URL such as http://localhost:6060/debug/pprof/goroutine", source(raw).name())
	}
	u.Scheme = strings.ToLower(u.Scheme)
	q := u.Query()
	if !q.Has("debug") {
		q.Set("debug", fmt.Sprint(debug))
		u.RawQuery = q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u.Redacted(), err)
	}
	// One connection for one dump, closed after: the diagnosis leaves
	// nothing open in the program it reads, nor in this one.
	req.Close = true
	client := &http.Client{
		Transport: &http.Transport{DisableKeepAlives: true, DisableCompression: true, Proxy: http.ProxyFromEnvironment, TLSClientConfig: &tls.Config{RootCAs: roots}},
		// A pprof endpoint answers where it is asked; a redirect is not followed.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	fail := func(err error) error {
		return fmt.Errorf("GET %s: %w", u.Redacted(), timedOut(ctx, err, timeout))
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL, unredacted, is in ue
		}
		return nil, fail(err)
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
		resp.Body.Close()
		status := resp.Status
		if loc := resp.Header.Get("Location"); loc != "" {
			status += " to " + source(loc).name() + ", not followed"
		}
		return nil, fail(fmt.Errorf("%s: %q", status, b))
	}
	return &body{resp.Body, limit, limit + 1, func(err error) error { return timedOut(ctx, err, timeout) }}, nil
}

// timedOut says what err means when ctx ended it: the timeout ran out, or
// a signal came.
func timedOut(ctx context.Context, err error, timeout time.Duration) error {
	switch ctx.Err() {
	case context.DeadlineExceeded:
		return fmt.Errorf("timed out: no whole dump within %v (-timeout)", timeout)
	case context.Canceled:
		return errInterrupted
	}
	return err
}

// body is a dump's response body: it refuses more than limit bytes, and
// says what ended a read.
type body struct {
	io.ReadCloser
	limit, left int64 // left: limit+1 at first, to tell limit bytes from more
	fail        func(error) error
}

func (b *body) Read(p []byte) (int, error) {
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	switch {
	case b.left == 0:
		return n, b.fail(fmt.Errorf("more than %d bytes: not a goroutine dump", b.limit))
	case err != nil && err != io.EOF:
		err = b.fail(err)
	}
	return n, err
}
