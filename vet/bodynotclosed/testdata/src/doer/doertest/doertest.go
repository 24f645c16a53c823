// Package doertest holds a mock Doer for package doer's tests, in a file
// that is not a test file: only doer's test files import it, so it counts
// for them alone.
package doertest

import "net/http"

// Doer answers every request with a made-up reply, with no connection
// under it.
type Doer struct{ Code int }

func (d Doer) Do(*http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: d.Code, Body: http.NoBody}, nil
}
