package connleaktest

import (
	"slices"
	"strings"
	"sync"
)

// checksRunning are the checks whose tests have not been judged yet, by
// their LabelCheck.
var checksRunning = struct {
	sync.Mutex
	m map[string]*run
}{m: map[string]*run{}}

// A run is a check whose test has not been judged yet.
type run struct {
	test string
	// beside are the tests whose checks ran, for a while at least, while
	// this one did, other than its parents and subtests: those that may
	// have taken a connection of a pool it shares with them.
	beside map[string]bool
}

func running(check string) bool {
	checksRunning.Lock()
	defer checksRunning.Unlock()
	return checksRunning.m[check] != nil
}

// startRun records that check, test's, runs from now on, beside every
// check running but those of test's parents and subtests.
func startRun(check, test string) {
	checksRunning.Lock()
	defer checksRunning.Unlock()
	r := &run{test: test, beside: map[string]bool{}}
	for _, other := range checksRunning.m {
		if !related(test, other.test) {
			r.beside[other.test] = true
			other.beside[test] = true
		}
	}
	checksRunning.m[check] = r
}

// endRun records that check's test has been judged: what it left is the
// process's from now on.
func endRun(check string) {
	checksRunning.Lock()
	defer checksRunning.Unlock()
	delete(checksRunning.m, check)
}

// besideOf are the tests that ran beside check's, sorted; none for a
// check not running.
func besideOf(check string) []string {
	checksRunning.Lock()
	defer checksRunning.Unlock()
	r := checksRunning.m[check]
	if r == nil {
		return nil
	}
	var out []string
	for test := range r.beside {
		out = append(out, test)
	}
	slices.Sort(out)
	return out
}

// related reports whether tests a and b are one test, or one is a subtest
// of the other: a parent's check runs while its subtests do, which run in
// its test, not beside it.
func related(a, b string) bool {
	return a == b || strings.HasPrefix(a, b+"/") || strings.HasPrefix(b, a+"/")
}
