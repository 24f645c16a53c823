package rangeexpr

import "net/http"

func fetch(c *http.Client) []string { return nil }

var kept []*http.Client

func keep(c *http.Client) *http.Client {
	kept = append(kept, c)
	return c
}

// A range's expression runs once, and so does a for's init: no loop.
func once() {
	for _, x := range fetch(keep(&http.Client{Transport: &http.Transport{}})) {
		_ = x
	}
	for c := keep(&http.Client{Transport: &http.Transport{}}); c != nil; c = nil {
	}
}

// A for's body, condition and post statement repeat.
func repeated(n int) {
	for i := 0; i < n; i++ {
		keep(&http.Client{Transport: &http.Transport{}}) // want `made per call \(inside a loop\)`
	}
	for c := (*http.Client)(nil); keep(&http.Client{Transport: &http.Transport{}}) != c; { // want `made per call \(inside a loop\)`
	}
	for c := (*http.Client)(nil); c == nil; c = keep(&http.Client{Transport: &http.Transport{}}) { // want `made per call \(inside a loop\)`
	}
}
