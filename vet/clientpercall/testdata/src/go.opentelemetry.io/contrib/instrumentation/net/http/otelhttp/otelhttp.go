// Package otelhttp is a stand-in for
// go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp in
// client-per-call's tests: the shapes of the names they use, without
// bodies, so that the analyzer has no fact of them, as it has none of a
// module that connleak vet loads from export data.
package otelhttp

import "net/http"

// Option configures a Transport.
type Option interface{ apply() }

// Transport wraps a RoundTripper.
type Transport struct{ rt http.RoundTripper }

func NewTransport(base http.RoundTripper, opts ...Option) *Transport

func (t *Transport) RoundTrip(r *http.Request) (*http.Response, error)

func WithServerName(server string) Option
