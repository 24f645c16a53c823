package constvalue

import (
	"net/http"
	"time"
)

const noTimeout = 0

// A constant zero IdleTimeout or ReadTimeout is the same as none.
func servers(h http.Handler, d time.Duration) []*http.Server {
	zero := &http.Server{Handler: h, IdleTimeout: 0}                         // want `http.Server without IdleTimeout or ReadTimeout keeps every idle connection for ever`
	both := &http.Server{Handler: h, IdleTimeout: noTimeout, ReadTimeout: 0} // want `http.Server without IdleTimeout or ReadTimeout`
	readZero := &http.Server{Handler: h, ReadTimeout: 0 * time.Second}       // want `http.Server without IdleTimeout or ReadTimeout`

	// Near misses: a ReadTimeout bounds idle connections too, a value
	// known only at run time is trusted, and so is a later assignment.
	read := &http.Server{Handler: h, IdleTimeout: 0, ReadTimeout: time.Minute}
	runtime := &http.Server{Handler: h, IdleTimeout: d}
	later := &http.Server{Handler: h}
	later.IdleTimeout = d

	// A later assignment of 0 sets nothing.
	laterZero := &http.Server{Handler: h} // want `http.Server without IdleTimeout or ReadTimeout`
	laterZero.ReadTimeout = 0

	return []*http.Server{zero, both, readZero, read, runtime, later, laterZero}
}
