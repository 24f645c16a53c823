package assigned

import "net/http"

// A Transport made per call and attached by assignment is a pool per
// call, as one in a Client literal is.
func attached(url string) {
	tp := &http.Transport{}
	client := &http.Client{} // want `an http.Client with a Transport of its own made per call \(and dropped when the function returns\)`
	client.Transport = tp
	client.Get(url)
}

// A copy of a shared client, given a Transport of its own.
func copied(shared *http.Client, url string) {
	t := &http.Transport{} // want `an http.Transport made per call \(and dropped when the function returns\)`
	c := *shared
	c.Transport = t
	c.Get(url)
}

// A clone of http.DefaultTransport made per call is a pool per call too.
func cloned(w http.ResponseWriter, r *http.Request) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 4
	(&http.Client{Transport: tr}).Get("http://localhost:8080/") // want `an http.Client with a Transport of its own made per call \(inside an HTTP handler\)`
}

type api struct{ HTTPClient *http.Client }

func (a *api) get(url string) { a.HTTPClient.Get(url) }

// Into a field of a value the function made.
func nested(url string) {
	cloned := http.DefaultTransport.(*http.Transport).Clone()
	x := &api{HTTPClient: &http.Client{}} // want `an http.Client with a Transport of its own made per call \(and dropped when the function returns\)`
	x.HTTPClient.Transport = cloned
	x.get(url)
}

// Near misses: stored into what outlives the call.

func configure(x *api) {
	cloned := http.DefaultTransport.(*http.Transport).Clone()
	x.HTTPClient.Transport = cloned
}

func newAPI() *api {
	x := &api{HTTPClient: &http.Client{}}
	x.HTTPClient.Transport = http.DefaultTransport.(*http.Transport).Clone()
	return x
}

var global http.Client

func setGlobal() {
	global.Transport = &http.Transport{}
}
