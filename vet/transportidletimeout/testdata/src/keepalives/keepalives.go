// Package keepalives holds a load generator's Transport whose
// DisableKeepAlives is an option of its own, known only at run time, with
// no IdleConnTimeout: with the option off, as it is by default, the
// Transport keeps every idle connection for ever. The finding says that
// it holds unless DisableKeepAlives is true.
package keepalives

import (
	"crypto/tls"
	"net"
	"net/http"
	"time"
)

type work struct {
	DisableCompression bool
	DisableKeepAlives  bool
	Dial               func(network, addr string) (net.Conn, error)
}

func (w *work) transport() *http.Transport {
	return &http.Transport{ // want `http.Transport without IdleConnTimeout keeps every idle connection for ever unless DisableKeepAlives is true`
		Dial:               w.Dial,
		TLSClientConfig:    &tls.Config{},
		DisableCompression: w.DisableCompression,
		DisableKeepAlives:  w.DisableKeepAlives,
	}
}

func zero(noKeep bool) *http.Transport {
	return &http.Transport{DisableKeepAlives: noKeep, IdleConnTimeout: 0} // want `http.Transport with IdleConnTimeout 0 keeps every idle connection for ever unless DisableKeepAlives is true`
}

func setLater(noKeep bool) *http.Transport {
	t := &http.Transport{} // want `http.Transport without IdleConnTimeout keeps every idle connection for ever unless DisableKeepAlives is true`
	t.DisableKeepAlives = noKeep
	return t
}

func zeroLater(noKeep bool) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DisableKeepAlives = noKeep
	t.IdleConnTimeout = 0 // want `http.Transport with IdleConnTimeout 0 keeps every idle connection for ever unless DisableKeepAlives is true`
	return t
}

// Near misses: a constant true, in the literal or assigned later; an
// IdleConnTimeout beside the option, constant or known only at run time.
var off = &http.Transport{DisableKeepAlives: true}

func offLater(noKeep bool) *http.Transport {
	t := &http.Transport{DisableKeepAlives: noKeep}
	t.DisableKeepAlives = true
	return t
}

func tuned(noKeep bool, idle time.Duration) []*http.Transport {
	return []*http.Transport{
		{DisableKeepAlives: noKeep, IdleConnTimeout: time.Minute},
		{DisableKeepAlives: noKeep, IdleConnTimeout: idle},
	}
}
