package serveridletimeout_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/connleak/connleak/vet/serveridletimeout"
)

// Test runs every case with its fixes in one load, as type-checking
// net/http from source is most of what a run costs:
//   - server: the literals and http.ListenAndServe and the like;
//   - timetype: no fix writes time.Minute where a type named time hides
//     the package;
//   - constvalue: IdleTimeout and ReadTimeout are read by their constant
//     values: a written-out 0 is no timeout, and its fix replaces the 0 of
//     IdleTimeout;
//   - newserver, newimport: new(http.Server) is judged as &http.Server{}
//     is, with what later statements set on the variable it is bound to,
//     and a fix that rewrites it as a literal where that is safe: not where
//     it is an operand, nor in the header of an if, for or switch.
func Test(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), serveridletimeout.Analyzer,
		"server", "timetype", "constvalue", "newserver", "newimport")
}

// TestReleased checks that a Server which the function making it closes
// or shuts down, deferred, by a test's Cleanup or later in a block around
// it, is no finding, and that a package's Server, one closed elsewhere, in
// a branch, or after the loop that makes it, is one.
func TestReleased(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), serveridletimeout.Analyzer, "released")
}
