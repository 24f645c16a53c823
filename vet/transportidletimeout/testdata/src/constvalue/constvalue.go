package constvalue

import (
	"net/http"
	"time"

	"limits"
)

const (
	keep      = true
	noLimit   = 0 * time.Second
	oneMinute = time.Minute
)

// A constant zero IdleConnTimeout, or a constant false DisableKeepAlives,
// is the same as none: read by value, not by spelling.
var (
	zero     = &http.Transport{IdleConnTimeout: 0}                           // want `http.Transport with IdleConnTimeout 0 keeps every idle connection for ever`
	zeroDur  = &http.Transport{IdleConnTimeout: 0 * time.Second}             // want `http.Transport with IdleConnTimeout 0`
	named    = &http.Transport{IdleConnTimeout: noLimit}                     // want `http.Transport with IdleConnTimeout 0`
	negative = &http.Transport{IdleConnTimeout: -1}                          // want `http.Transport with IdleConnTimeout 0`
	keepOn   = &http.Transport{DisableKeepAlives: false}                     // want `http.Transport without IdleConnTimeout`
	both     = &http.Transport{DisableKeepAlives: !keep, IdleConnTimeout: 0} // want `http.Transport with IdleConnTimeout 0`
	other    = &http.Transport{IdleConnTimeout: limits.None}                 // want `http.Transport with IdleConnTimeout 0`
)

// Near misses: a constant that is set, and an IdleConnTimeout known only
// at run time, trusted. A DisableKeepAlives known only at run time is
// not taken as true (keepalives).
var (
	keepOff = &http.Transport{DisableKeepAlives: keep}
	minute  = &http.Transport{IdleConnTimeout: oneMinute}
	fromEnv = &http.Transport{IdleConnTimeout: timeout()}
)

func timeout() time.Duration { return time.Minute }
