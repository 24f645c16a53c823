// Package retryable holds a pattern found in real code: a go-retryablehttp
// client made in a function called per request, its Transport then set
// to a clone of http.DefaultTransport. retryablehttp.NewClient makes a
// pool of its own (go-cleanhttp's pooled Transport), and the clone
// replaces it: either way, a pool made per call, dropped with the client.
package retryable

import (
	"crypto/tls"
	"net/http"

	"github.com/hashicorp/go-retryablehttp"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
)

func fetch(url string, cfg *tls.Config) error {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = cfg
	c := retryablehttp.NewClient() // want `a retryablehttp client made per call \(and dropped when the function returns\)`
	c.HTTPClient.Transport = tr
	c.RetryMax = 2
	req, err := retryablehttp.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func handle(w http.ResponseWriter, r *http.Request) {
	c := retryablehttp.NewClient() // want `a retryablehttp client made per call \(inside an HTTP handler\)`
	c.HTTPClient.Transport = &http.Transport{}
	c.StandardClient().Get("http://localhost:8080/")
}

// Its own pool, made per iteration.
func each(urls []string) {
	for _, u := range urls {
		retryablehttp.NewClient().Get(u) // want `a retryablehttp client made per call \(inside a loop\)`
	}
}

// Its own pool, wrapped and set back: still its own.
func traced(url string) {
	c := retryablehttp.NewClient() // want `a retryablehttp client made per call \(and dropped when the function returns\)`
	c.HTTPClient.Transport = otelhttp.NewTransport(c.HTTPClient.Transport)
	c.Get(url)
}

// Near misses: made once and kept, on a shared client or Transport (the
// pool NewClient made is replaced before any use), or released.

type service struct{ rc *retryablehttp.Client }

func newService(cfg *tls.Config) *service {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = cfg
	c := retryablehttp.NewClient()
	c.HTTPClient.Transport = tr
	return &service{rc: c}
}

func (s *service) get(url string) {
	s.rc.Get(url)
}

var shared = retryablehttp.NewClient()

func main() {
	c := retryablehttp.NewClient()
	c.HTTPClient.Transport = http.DefaultTransport.(*http.Transport).Clone()
	c.Get("http://localhost:8080/")
}

func (s *service) onShared(url string) {
	c := retryablehttp.NewClient()
	c.HTTPClient = s.rc.HTTPClient
	c.Get(url)
	d := retryablehttp.NewClient()
	d.HTTPClient.Transport = http.DefaultTransport
	d.Get(url)
}

func released(url string) {
	c := retryablehttp.NewClient()
	defer c.HTTPClient.CloseIdleConnections()
	c.Get(url)
}
