package transport

import (
	"net/http"
	"time"
)

var bare = &http.Transport{} // want `http.Transport without IdleConnTimeout keeps every idle connection for ever`

var value = http.Transport{MaxIdleConns: 10} // want `http.Transport without IdleConnTimeout`

var multi = &http.Transport{ // want `http.Transport without IdleConnTimeout`
	MaxIdleConnsPerHost: 4,
}

// Near misses: each closes idle connections, or keeps none.
var (
	tuned  = &http.Transport{IdleConnTimeout: 90 * time.Second}
	noKeep = &http.Transport{DisableKeepAlives: true}
	cloned = http.DefaultTransport.(*http.Transport).Clone()
)
