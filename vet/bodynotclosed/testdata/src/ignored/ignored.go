// want package:"analyzed"

// Package ignored silences its findings with directives, by the check's id
// and by its old one.
package ignored

import "net/http"

func now(u string) {
	//connleak:ignore body-not-closed the server closes after one reply
	_, _ = http.Get(u)
}

func old(u string) {
	_, _ = http.Get(u) //connleak:ignore raw-body-not-closed the id this check had before
}

func other(u string) {
	//connleak:ignore client-per-call another check's directive silences nothing here
	_, _ = http.Get(u) // want `response body never closed`
}

func noReason(u string) {
	//connleak:ignore body-not-closed
	_, _ = http.Get(u) // want `response body never closed`
}
