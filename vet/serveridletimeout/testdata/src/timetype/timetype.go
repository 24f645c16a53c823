package timetype

import "net/http"

type time struct{}

// No fix: time is the type above.
func f(time) *http.Server {
	return &http.Server{} // want `http.Server without IdleTimeout or ReadTimeout`
}
