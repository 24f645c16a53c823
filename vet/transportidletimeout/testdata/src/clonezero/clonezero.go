package clonezero

import (
	"net/http"
	"time"
)

// A clone of http.DefaultTransport keeps its 90 seconds, unless they are
// then set to 0.
func clones() (*http.Transport, *http.Transport) {
	kept := http.DefaultTransport.(*http.Transport).Clone()
	kept.MaxIdleConnsPerHost = 8

	zeroed := http.DefaultTransport.(*http.Transport).Clone()
	zeroed.IdleConnTimeout = 0 // want `http.Transport with IdleConnTimeout 0 keeps every idle connection for ever`
	return kept, zeroed
}

// A literal is judged with what the function then sets on it.
func setLater(d time.Duration) []*http.Transport {
	tuned := &http.Transport{}
	tuned.IdleConnTimeout = d

	noKeep := &http.Transport{}
	noKeep.DisableKeepAlives = true

	bare := &http.Transport{} // want `http.Transport without IdleConnTimeout`
	bare.MaxIdleConns = 4

	zero := &http.Transport{}
	zero.IdleConnTimeout = 0 * time.Second // want `http.Transport with IdleConnTimeout 0`

	return []*http.Transport{tuned, noKeep, bare, zero}
}

// On a Transport the function did not make.
func configure(c *http.Client) {
	c.Transport.(*http.Transport).IdleConnTimeout = 0 // want `http.Transport with IdleConnTimeout 0`
}
