package transportidletimeout_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/connleak/connleak/vet/transportidletimeout"
)

func Test(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), transportidletimeout.Analyzer, "transport", "noimport")
}

// TestTimeName checks that a fix writes time.Second only where the name
// time means package time, or can be made to.
func TestTimeName(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), transportidletimeout.Analyzer, "timeshadow", "timevar", "timerenamed", "timeblank")
}

// TestIgnore checks that a //connleak:ignore directive with a reason, on
// the line or the line above, silences a finding, and one without does not.
func TestIgnore(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), transportidletimeout.Analyzer, "ignored")
}

// TestConstValue checks that IdleConnTimeout and DisableKeepAlives are
// read by their constant values: a written-out 0 or false is no setting,
// and its fix replaces the 0, unless the value names another package.
func TestConstValue(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), transportidletimeout.Analyzer, "constvalue")
}

// TestCloneZero checks that a clone of http.DefaultTransport is trusted
// until its IdleConnTimeout is set to 0, and that a literal is judged with
// what the function then sets on it.
func TestCloneZero(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), transportidletimeout.Analyzer, "clonezero")
}

// TestReleased checks that a Transport released on the way out of the
// function that makes it, by a defer or by a test's Cleanup, directly,
// through its client, or through a field of a value the function made
// (fieldpath), is no finding, and that a release by another function, or
// of a package's Transport, or through a value handed in, is none.
func TestReleased(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), transportidletimeout.Analyzer, "released", "fieldpath")
}

// TestNew checks that new(http.Transport) is judged as &http.Transport{}
// is: with what the package then sets on its variable and with its
// release, and with no fix.
func TestNew(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), transportidletimeout.Analyzer, "newtransport")
}

// TestHTTP2 checks that golang.org/x/net/http2's Transport is judged as
// net/http's is: a literal or new without IdleConnTimeout, or with 0, is
// reported and fixed; one set later, released, or returned by
// ConfigureTransports (it takes its HTTP/1 Transport's) is not.
func TestHTTP2(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), transportidletimeout.Analyzer, "h2c")
}

// TestKeepAlives checks that a DisableKeepAlives known only at run time,
// in the literal or assigned later, is not taken as true: the finding
// stands, and says that it holds unless DisableKeepAlives is true.
func TestKeepAlives(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), transportidletimeout.Analyzer, "keepalives")
}
