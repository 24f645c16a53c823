// Package h2c holds golang.org/x/net/http2's Transport made as a literal,
// for cleartext HTTP/2 (h2c), without IdleConnTimeout: as in
// net/http's, zero means no limit there. An option of a load generator
// installs one on its client.
package h2c

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"time"

	"golang.org/x/net/http2"
)

type attacker struct {
	client http.Client
	dialer *net.Dialer
}

// withH2C is the option: its Transport dials plain TCP where TLS is asked.
func withH2C(on bool) func(*attacker) {
	return func(a *attacker) {
		if !on {
			return
		}
		a.client.Transport = &http2.Transport{ // want `http2.Transport without IdleConnTimeout keeps every idle connection for ever`
			AllowHTTP: true,
			DialTLSContext: func(ctx context.Context, network, addr string, _ *tls.Config) (net.Conn, error) {
				return a.dialer.DialContext(ctx, network, addr)
			},
		}
	}
}

var (
	zero  = &http2.Transport{AllowHTTP: true, IdleConnTimeout: 0} // want `http2.Transport with IdleConnTimeout 0 keeps every idle connection for ever`
	value = http2.Transport{AllowHTTP: true}                      // want `http2.Transport without IdleConnTimeout`
	made  = new(http2.Transport)                                  // want `http2.Transport without IdleConnTimeout`
)

// Near misses: an IdleConnTimeout set in the literal or later; the
// Transport ConfigureTransports returns, which takes its HTTP/1
// Transport's; one released by the function that makes it.
var tuned = &http2.Transport{AllowHTTP: true, IdleConnTimeout: time.Minute}

func setLater(d time.Duration) *http2.Transport {
	t := &http2.Transport{AllowHTTP: true}
	t.IdleConnTimeout = d
	return t
}

func configured() (*http2.Transport, error) {
	t1 := &http.Transport{IdleConnTimeout: time.Minute}
	return http2.ConfigureTransports(t1)
}

func configuredZero() (*http2.Transport, error) {
	t2, err := http2.ConfigureTransports(&http.Transport{IdleConnTimeout: time.Minute})
	if err == nil {
		t2.IdleConnTimeout = 0
	}
	return t2, err
}

func released(url string) {
	t := &http2.Transport{AllowHTTP: true}
	defer t.CloseIdleConnections()
	(&http.Client{Transport: t}).Get(url)
}

// Still reported: 0 assigned later, to a literal of its own.
func zeroLater() *http2.Transport {
	t := &http2.Transport{AllowHTTP: true} // want `http2.Transport without IdleConnTimeout`
	t.IdleConnTimeout = 0
	return t
}
