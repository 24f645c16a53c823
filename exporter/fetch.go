package exporter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/connleak/connleak/diagnose"
	"github.com/connleak/connleak/dump"
)

// reading is one probe's diagnosis, shared by the probes of the same
// module and target that asked at once: read only.
type reading struct {
	report diagnose.Report
	waits  map[string]time.Duration // each finding's oldest wait; nil when the form says none
}

// client is the HTTP client of a module's fetches: one connection per
// fetch, closed after, so that between probes the exporter holds no
// connection in the target that its own counts would show; no redirect
// followed, no proxy (the target dialled is the one -allow matched), no
// compression asked for.
func client(m Module) (*http.Client, error) {
	tlsConfig, err := m.TLS.config()
	if err != nil {
		return nil, err
	}
	return &http.Client{
		Transport: &http.Transport{
			DisableKeepAlives:   true,
			DisableCompression:  true,
			TLSClientConfig:     tlsConfig,
			DialContext:         (&net.Dialer{Timeout: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout: 10 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}, nil
}

// fetch reads and diagnoses the goroutine profile at target, the URL
// -allow matched (its form in its query: fetchURL), within ctx and at most
// limit bytes.
func fetch(ctx context.Context, c *http.Client, m Module, target *url.URL, limit int64) (reading, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target.String(), nil)
	if err != nil {
		return reading{}, err
	}
	if err := m.authorize(req); err != nil {
		return reading{}, err
	}
	resp, err := c.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is the caller's to say
		}
		return reading{}, timedOut(ctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		// Neither the body nor the reason phrase is said: a target could
		// echo the credentials it was sent there.
		err := fmt.Errorf("status %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
		if resp.Header.Get("Location") != "" {
			err = fmt.Errorf("%w: a redirect, not followed", err)
		}
		return reading{}, err
	}
	d := diagnose.Diagnosis{NoSites: true} // the metrics say no site: hold none
	format, err := dump.ReadContext(ctx, &bounded{r: resp.Body, left: limit + 1, limit: limit}, d.Add)
	if err != nil {
		return reading{}, timedOut(ctx, err)
	}
	rd := reading{report: d.Report(format)}
	if format.HasWaits() {
		rd.waits = map[string]time.Duration{}
		for _, f := range diagnose.Findings() {
			rd.waits[f.ID] = d.OldestWait(f.ID)
		}
	}
	return rd, nil
}

// timedOut says so when ctx's deadline ended err.
func timedOut(ctx context.Context, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return errors.New("timed out: no whole profile within the probe's timeout")
	}
	return err
}

// bounded refuses more than limit bytes: left is limit+1 at first, to tell
// limit bytes from more.
type bounded struct {
	r           io.Reader
	left, limit int64
}

func (b *bounded) Read(p []byte) (int, error) {
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	if b.left -= int64(n); b.left == 0 {
		return n, fmt.Errorf("more than %d bytes (-max-bytes)", b.limit)
	}
	return n, err
}
