package nethttp

import (
	"io"
	"net/http"
	"time"
)

// A health check in a loop that closes the body through a helper on each
// branch, where a defer would pile up (bodyclose #30).

func closeResponse(body io.ReadCloser) { // want closeResponse:"keeps 0"
	if body != nil {
		_ = body.Close()
	}
}

func appReady(stop <-chan bool, u string, every time.Duration) bool {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return false
		case <-tick.C:
			resp, err := http.Get(u)
			if err != nil {
				continue
			}
			if resp.StatusCode == http.StatusOK {
				closeResponse(resp.Body)
				return true
			}
			closeResponse(resp.Body)
		}
	}
}
