package server

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/connleak/connleak/collector"
)

// clientConfig is the part of Options that decides how a client is built:
// everything but the settings of a single call (body, connClose, delay,
// stall). stallHandshake is in it: it is in the TLS configuration of the
// client's Transport.
type clientConfig struct {
	plain               bool // client=nethttp: net/http without Resty
	transport           string
	idleConnTimeout     time.Duration
	disableKeepAlives   bool
	maxIdleConnsPerHost int
	maxConnsPerHost     int
	tlsHandshakeTimeout time.Duration
	timeout             time.Duration
	proto               string
	forceAttemptHTTP2   bool
	stallHandshake      bool
}

func configOf(o Options) clientConfig {
	return clientConfig{
		plain:               o.Client == "nethttp",
		transport:           o.Transport,
		idleConnTimeout:     o.IdleConnTimeout,
		disableKeepAlives:   o.DisableKeepAlives,
		maxIdleConnsPerHost: o.MaxIdleConnsPerHost,
		maxConnsPerHost:     o.MaxConnsPerHost,
		tlsHandshakeTimeout: o.TLSHandshakeTimeout,
		timeout:             o.Timeout,
		proto:               o.Proto,
		forceAttemptHTTP2:   o.ForceAttemptHTTP2,
		stallHandshake:      o.StallHandshake,
	}
}

// maxSharedClients bounds how many distinct configurations client=shared
// keeps a client for, so that a loop over idleConnTimeout values cannot grow
// the process without limit.
const maxSharedClients = 64

var errTooManyClients = errors.New("client=shared and client=nethttp already keep a client for 64 distinct configurations; reuse one of them or use client=new")

// A caller makes /forward's call to server 1: POST url?query. Unless raw,
// it reads the body to the end, closes it and returns it; with raw, the body
// is the caller's to read and close.
type caller interface {
	post(ctx context.Context, url string, query url.Values, raw bool) (*http.Response, []byte, error)
}

// restyCaller calls through a Resty client, as the seed does; t is the
// Transport under it.
type restyCaller struct {
	c *resty.Client
	t *http.Transport
}

func (rc restyCaller) post(ctx context.Context, url string, query url.Values, raw bool) (*http.Response, []byte, error) {
	resp, err := rc.c.R().SetContext(ctx).SetQueryParamsFromValues(query).SetDoNotParseResponse(raw).Post(url)
	if errors.Is(err, resty.ErrResponseBodyTooLarge) {
		return nil, nil, errBodyTooLarge
	}
	if err != nil {
		return nil, nil, err
	}
	return resp.RawResponse, resp.Body(), nil
}

// plainCaller calls through net/http alone: the reference Resty is
// measured against; t is the Transport under it.
type plainCaller struct {
	c *http.Client
	t *http.Transport
}

func (pc plainCaller) post(ctx context.Context, url string, query url.Values, raw bool) (*http.Response, []byte, error) {
	if len(query) > 0 {
		url += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, http.NoBody)
	if err != nil {
		return nil, nil, err
	}
	resp, err := pc.c.Do(req)
	if err != nil || raw {
		return resp, nil, err
	}
	b, err := readBody(resp.Body)
	return resp, b, err
}

// clients hands /forward its client: a new one per call, or one shared per
// configuration.
type clients struct {
	conns *clientConns // every transport made here counts its connections in it
	tls   *tls.Config  // for an https upstream, else nil; each transport gets a clone

	mu     sync.Mutex              // guards shared
	shared map[clientConfig]caller // one per configuration, for client=shared and client=nethttp
}

func newClients(conns *clientConns, upstreamTLS *tls.Config) *clients {
	return &clients{conns: conns, tls: upstreamTLS, shared: make(map[clientConfig]caller)}
}

// get returns the client for o.
func (c *clients) get(o Options) (caller, error) {
	cc := configOf(o)
	if o.Client == "new" {
		// DELIBERATE LEAK (the Resty demo's bug): a client, and so a Transport and a
		// connection pool, per request. Nobody closes the pool; with
		// transport=custom its idle connection stays open for ever. Real code
		// shares one client.
		return c.newClient(cc), nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl, ok := c.shared[cc]; ok {
		return cl, nil
	}
	if len(c.shared) >= maxSharedClients {
		return nil, errTooManyClients
	}
	cl := c.newClient(cc)
	c.shared[cc] = cl
	return cl, nil
}

// newClient builds a client for cc, its transport instrumented to count
// connections and keep to the leak budget, and for connleak's collector.
func (c *clients) newClient(cc clientConfig) caller {
	rc := resty.New().SetLogger(quietLogger{}).SetTimeout(cc.timeout).SetResponseBodyLimit(MaxBody)
	rc.GetClient().CheckRedirect = refuseRedirects
	t := rc.GetClient().Transport.(*http.Transport) // resty.New always installs one
	switch cc.transport {
	case "custom":
		t = c.bareTransport(cc)
		rc.SetTransport(t)
	case "resty":
		c.setOnResty(t, cc)
	}
	if cc.proto != "" && cc.proto != ProtoAuto {
		t.Protocols = protocols(cc.proto)
	}
	if cc.stallHandshake && t.TLSClientConfig != nil {
		// The marker server 1 stalls the handshake for (tls.go). /forward
		// refuses stallHandshake for an http upstream, so there is a
		// TLSClientConfig, the clone of this client's own.
		t.TLSClientConfig.NextProtos = append([]string{stallHandshakeProto}, t.TLSClientConfig.NextProtos...)
	}
	c.conns.instrument(t)
	// The collector counts its connections by host and state on /metrics
	// (http_client_open_connections), as a service instruments its pool.
	rt := collector.Transport(t)
	if cc.plain {
		return plainCaller{&http.Client{Transport: rt, Timeout: cc.timeout, CheckRedirect: refuseRedirects}, t}
	}
	rc.SetTransport(rt)
	return restyCaller{rc, t}
}

// bareTransport is transport=custom's Transport.
//
// DELIBERATE LEAK when idleConnTimeout is 0 (the Resty demo's and the
// Resty blog's bug): a bare Transport keeps idle connections open for
// ever, because a zero IdleConnTimeout means no limit. Only the fields
// asked for are set. Over TLS, it has a TLSClientConfig of its own (to
// trust server 1), which is what makes a bare Transport fall back to
// HTTP/1.1 unless ForceAttemptHTTP2 is set; and, with tlsHandshakeTimeout
// 0, no limit on its TLS handshakes.
func (c *clients) bareTransport(cc clientConfig) *http.Transport {
	return &http.Transport{
		IdleConnTimeout:     cc.idleConnTimeout,
		DisableKeepAlives:   cc.disableKeepAlives,
		MaxIdleConnsPerHost: cc.maxIdleConnsPerHost,
		MaxConnsPerHost:     cc.maxConnsPerHost,
		TLSHandshakeTimeout: cc.tlsHandshakeTimeout,
		ForceAttemptHTTP2:   cc.forceAttemptHTTP2,
		TLSClientConfig:     c.tls.Clone(),
	}
}

// setOnResty sets on t, Resty's own transport (IdleConnTimeout 90s,
// MaxIdleConnsPerHost GOMAXPROCS+1, TLSHandshakeTimeout 10s), each field
// asked for (non-zero), over Resty's value.
func (c *clients) setOnResty(t *http.Transport, cc clientConfig) {
	if cc.idleConnTimeout > 0 {
		t.IdleConnTimeout = cc.idleConnTimeout
	}
	if cc.disableKeepAlives {
		t.DisableKeepAlives = true
	}
	if cc.maxIdleConnsPerHost > 0 {
		t.MaxIdleConnsPerHost = cc.maxIdleConnsPerHost
	}
	if cc.maxConnsPerHost > 0 {
		t.MaxConnsPerHost = cc.maxConnsPerHost
	}
	if cc.tlsHandshakeTimeout > 0 {
		t.TLSHandshakeTimeout = cc.tlsHandshakeTimeout
	}
	if cc.forceAttemptHTTP2 {
		t.ForceAttemptHTTP2 = true // Resty's is already
	}
	if c.tls != nil {
		t.TLSClientConfig = c.tls.Clone()
	}
}

// protocols is the Transport's protocols for proto: h1, h2 or h2c.
func protocols(proto string) *http.Protocols {
	var p http.Protocols
	switch proto {
	case ProtoH1:
		p.SetHTTP1(true)
	case ProtoH2:
		p.SetHTTP2(true)
	case ProtoH2C:
		p.SetUnencryptedHTTP2(true)
	}
	return &p
}

// refuseRedirects makes a client hand back a redirect instead of following
// it: /forward calls UPSTREAM_URL/hello and nothing else, whatever server 1
// answers. /forward refuses the 3xx with a 502 naming its Location.
func refuseRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// quietLogger drops Resty's log lines: every failure is in /forward's reply
// already, and a leak demo would otherwise print one line per request.
type quietLogger struct{}

var _ resty.Logger = quietLogger{}

func (quietLogger) Errorf(string, ...any) {}
func (quietLogger) Warnf(string, ...any)  {}
func (quietLogger) Debugf(string, ...any) {}
