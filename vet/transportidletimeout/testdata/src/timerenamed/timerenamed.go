package timerenamed

import (
	"net/http"
	clock "time"
)

var d = clock.Second

var t = &http.Transport{} // want `http.Transport without IdleConnTimeout`

func hidden(clock string) *http.Transport {
	return &http.Transport{} // want `http.Transport without IdleConnTimeout`
}
