// Package wrapped holds a pattern found in real code: a clone of
// http.DefaultTransport handed to a constructor of another module that
// wraps it (otelhttp.NewTransport), and an http.Client made on the
// wrapper per call. The wrapper holds the Transport and the Client holds
// the wrapper: a pool made per call, dropped with the Client.
package wrapped

import (
	"context"
	"net/http"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"

	"wrappers"
)

func fetch(ctx context.Context, url string) error {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 16
	client := &http.Client{Transport: otelhttp.NewTransport(tr)} // want `an http.Client with a Transport of its own made per call \(and dropped when the function returns\)`
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// The wrapper in a variable of its own, in a handler.
func proxy(w http.ResponseWriter, r *http.Request) {
	rt := otelhttp.NewTransport(&http.Transport{}, otelhttp.WithServerName("api"))
	(&http.Client{Transport: rt}).Get("http://localhost:8080/") // want `an http.Client with a Transport of its own made per call \(inside an HTTP handler\)`
}

// Wrapped twice: by the module's own wrapper, whose fact says its result
// holds what it is given, then by otelhttp's.
func twice(urls []string) {
	for _, u := range urls {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		c := &http.Client{Transport: otelhttp.NewTransport(wrappers.Logged(tr))} // want `an http.Client with a Transport of its own made per call \(inside a loop\)`
		c.Get(u)
	}
}

// The wrapper set on a Client made before.
func later(url string) {
	c := &http.Client{} // want `an http.Client with a Transport of its own made per call \(and dropped when the function returns\)`
	c.Transport = otelhttp.NewTransport(http.DefaultTransport.(*http.Transport).Clone())
	c.Get(url)
}

// A method whose result is its receiver, tuned.
func tuned(url string) {
	p := &wrappers.Pool{Transport: &http.Transport{}}
	(&http.Client{Transport: p.Tuned().Transport}).Get(url) // want `an http.Client with a Transport of its own made per call \(and dropped when the function returns\)`
}

// Near misses: the wrapped Transport made once and kept, a wrapper of a
// shared Transport, and a wrapper whose fact says it keeps its argument.

type api struct{ hc *http.Client }

func newAPI() *api {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	return &api{hc: &http.Client{Transport: otelhttp.NewTransport(tr)}}
}

func (a *api) reset() {
	a.hc = &http.Client{Transport: otelhttp.NewTransport(http.DefaultTransport.(*http.Transport).Clone())}
}

func (a *api) logged() {
	a.hc = &http.Client{Transport: wrappers.Logged(http.DefaultTransport.(*http.Transport).Clone())}
}

var traced = &http.Client{Transport: otelhttp.NewTransport(http.DefaultTransport.(*http.Transport).Clone())}

var global *http.Client

func setUp() {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	global = &http.Client{Transport: otelhttp.NewTransport(tr)}
}

func newTransport() http.RoundTripper {
	return otelhttp.NewTransport(http.DefaultTransport.(*http.Transport).Clone())
}

func main() {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	c := &http.Client{Transport: otelhttp.NewTransport(tr)}
	c.Get("http://localhost:8080/")
}

func sharedPool(w http.ResponseWriter, r *http.Request) {
	c := &http.Client{Transport: otelhttp.NewTransport(http.DefaultTransport)}
	c.Get("http://localhost:8080/")
}

func registered(url string) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	c := &http.Client{Transport: wrappers.Registered(tr)}
	c.Get(url)
}

func released(url string) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	defer tr.CloseIdleConnections()
	(&http.Client{Transport: otelhttp.NewTransport(tr)}).Get(url)
}
