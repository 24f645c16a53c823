package newimport

import "net/http"

// The fix of new(http.Server) imports time where the file does not.
func servers() []*http.Server {
	return []*http.Server{new(http.Server)} // want `http.Server without IdleTimeout or ReadTimeout`
}
