package onepool

import (
	"net/http"

	"github.com/go-resty/resty/v2"
)

// A Resty client made per call and its Transport made per call are one
// pool: one finding.
func chained(url string) {
	resty.New().SetTransport(&http.Transport{MaxIdleConns: 4}).R().Get(url) // want `a Resty client made per call \(and dropped when the function returns\)`
}

func withClient(w http.ResponseWriter, r *http.Request) {
	tr := &http.Transport{}
	c := resty.NewWithClient(&http.Client{Transport: tr}) // want `a Resty client made per call \(inside an HTTP handler\)`
	c.R().Get("http://localhost:8080/")
}

func separate(url string) {
	tr := &http.Transport{}
	c := resty.New() // want `a Resty client made per call`
	c.SetTransport(tr)
	c.R().Get(url)
}

// Resty makes a Transport for a client without one.
func bareClient(url string) {
	hc := &http.Client{}
	resty.NewWithClient(hc).R().Get(url) // want `a Resty client made per call`
}

// Near miss: a client on a shared Transport shares its pool.
var shared = &http.Client{}

func sharedClient(url string) {
	resty.NewWithClient(shared).R().Get(url)
	resty.NewWithClient(&http.Client{Transport: http.DefaultTransport}).R().Get(url)
}
