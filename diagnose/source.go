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

	"github.com/connleak/connleak/internal/labca"
)

// MaxFetch bounds what a URL may send for one dump, as it arrives: a text
// dump of a million goroutines is under 1 GiB. A reply the server
// compressed with Content-Encoding is not decompressed on the way (the
// request asks for none), so it reaches the dump reader as gzip, within
// that reader's own bounds.
const MaxFetch = 1 << 30

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
// URL says which form it wants, within ctx and at most MaxFetch bytes.
// timeout is ctx's, to say so when it runs out.
func fetch(ctx context.Context, raw string, debug int, timeout time.Duration, limit int64) (io.ReadCloser, error) {
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
