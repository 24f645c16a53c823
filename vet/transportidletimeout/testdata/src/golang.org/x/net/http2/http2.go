// Package http2 is a stand-in for golang.org/x/net/http2 in
// transport-idle-timeout's tests: its Transport with the fields they set,
// and ConfigureTransports, without bodies.
package http2

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"time"
)

// Transport is an HTTP/2 Transport. Its IdleConnTimeout, zero, is no
// limit; one that ConfigureTransports returns takes its HTTP/1
// Transport's.
type Transport struct {
	DialTLSContext  func(ctx context.Context, network, addr string, cfg *tls.Config) (net.Conn, error)
	AllowHTTP       bool
	IdleConnTimeout time.Duration
	ReadIdleTimeout time.Duration
}

func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error)

func (t *Transport) CloseIdleConnections()

// ConfigureTransports configures t1 for HTTP/2 and returns its HTTP/2
// Transport.
func ConfigureTransports(t1 *http.Transport) (*Transport, error)
