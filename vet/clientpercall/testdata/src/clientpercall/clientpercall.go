package clientpercall

import (
	"net/http"

	"github.com/go-resty/resty/v2"
)

// The seed's handler: a client per request.
func forward(w http.ResponseWriter, r *http.Request) {
	c := resty.New()                  // want `a Resty client made per call \(inside an HTTP handler\)`
	c.SetTransport(&http.Transport{}) // the client's pool: one finding
	c.R().Get("http://localhost:8080/hello")
}

func inLoop(urls []string) {
	for _, u := range urls {
		hc := &http.Client{Transport: &http.Transport{}} // want `an http.Client with a Transport of its own made per call \(inside a loop\)`
		hc.Get(u)
	}
}

func dropped(url string) {
	c := resty.New() // want `a Resty client made per call \(and dropped when the function returns\)`
	c.R().Get(url)
	resty.New().R().Get(url) // want `a Resty client made per call`
}

// Near misses: each is kept, or made once.

type service struct{ client *resty.Client }

func newService() *service {
	return &service{client: resty.New()}
}

func newClient() *http.Client {
	c := &http.Client{Transport: &http.Transport{}}
	return c
}

func (s *service) setUp() {
	s.client = resty.New()
}

var shared = resty.New()

func main() {
	c := resty.New()
	c.R().Get("http://localhost:8080/hello")
}

func handlerWithShared(w http.ResponseWriter, r *http.Request) {
	shared.R().Get("http://localhost:8080/hello")
}

func noKeepAlive(url string) {
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	hc.Get(url)
}

func handedOn(register func(*resty.Client)) {
	c := resty.New()
	register(c)
}
