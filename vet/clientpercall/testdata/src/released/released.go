package released

import (
	"net/http"

	resty "resty.dev/v3"
)

// A pool released before the function returns leaves nothing behind.
func deferred(url string) {
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	(&http.Client{Transport: tr}).Get(url)
}

func viaClient(url string) {
	c := &http.Client{Transport: &http.Transport{}}
	c.Get(url)
	c.CloseIdleConnections()
}

func viaClosure(url string) {
	tr := &http.Transport{}
	defer func() { tr.CloseIdleConnections() }()
	(&http.Client{Transport: tr}).Get(url)
}

func restyClose(w http.ResponseWriter, r *http.Request) {
	c := resty.New()
	defer c.Close()
	c.R().Get("http://localhost:8080/")
}

func restyTransport(url string) {
	c := resty.New()
	defer c.Client().CloseIdleConnections()
	c.R().Get(url)
}

func eachIteration(urls []string) {
	for _, u := range urls {
		c := &http.Client{Transport: &http.Transport{}}
		c.Get(u)
		c.CloseIdleConnections()
	}
}

// Not released: in another branch, or only the last of a loop's pools.
func inBranch(url string, done bool) {
	c := &http.Client{Transport: &http.Transport{}} // want `an http.Client with a Transport of its own made per call \(and dropped when the function returns\)`
	c.Get(url)
	if done {
		c.CloseIdleConnections()
	}
}

func afterLoop(urls []string) {
	var c *http.Client
	for _, u := range urls {
		c = &http.Client{Transport: &http.Transport{}} // want `made per call \(inside a loop\)`
		c.Get(u)
	}
	c.CloseIdleConnections()
}

func closedElsewhere(url string) {
	go func() {
		c := resty.New() // want `a Resty client made per call \(and dropped when the function returns\)`
		c.R().Get(url)
	}()
}
