package serveridletimeout_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/connleak/connleak/vet/serveridletimeout"
)

func Test(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), serveridletimeout.Analyzer, "server")
}

// TestTimeName checks that no fix writes time.Minute where a type named
// time hides the package.
func TestTimeName(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), serveridletimeout.Analyzer, "timetype")
}
