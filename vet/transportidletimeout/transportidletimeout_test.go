package transportidletimeout_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/connleak/connleak/vet/transportidletimeout"
)

// Test runs every case with its fixes in one load, as type-checking
// net/http from source is most of what a run costs:
//   - transport, noimport: the literals, and a fix that imports time;
//   - timeshadow, timevar, timerenamed, timeblank: a fix writes
//     time.Second only where the name time means package time, or can be
//     made to;
//   - constvalue: IdleConnTimeout and DisableKeepAlives are read by their
//     constant values: a written-out 0 or false is no setting, and its fix
//     replaces the 0, unless the value names another package;
//   - clonezero: a clone of http.DefaultTransport is trusted until its
//     IdleConnTimeout is set to 0, and a literal is judged with what the
//     function then sets on it;
//   - newtransport: new(http.Transport) is judged as &http.Transport{} is,
//     with what the package then sets on its variable and with its
//     release, and with no fix;
//   - h2c: golang.org/x/net/http2's Transport is judged as net/http's is: a
//     literal or new without IdleConnTimeout, or with 0, is reported and
//     fixed; one set later, released, or returned by ConfigureTransports
//     (it takes its HTTP/1 Transport's) is not;
//   - keepalives: a DisableKeepAlives known only at run time, in the literal
//     or assigned later, is not taken as true: the finding stands, and says
//     that it holds unless DisableKeepAlives is true.
func Test(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), transportidletimeout.Analyzer,
		"transport", "noimport", "timeshadow", "timevar", "timerenamed", "timeblank",
		"constvalue", "clonezero", "newtransport", "h2c", "keepalives")
}

// TestNoFix runs the cases whose fixes are not what they check, in one
// load:
//   - ignored: a //connleak:ignore directive with a reason, on the line or
//     the line above, silences a finding, and one without does not;
//   - released, fieldpath: a Transport released on the way out of the
//     function that makes it, by a defer or by a test's Cleanup, directly,
//     through its client, or through a field of a value the function made,
//     is no finding, and a release by another function, or of a package's
//     Transport, or through a value handed in, is none.
func TestNoFix(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), transportidletimeout.Analyzer, "ignored", "released", "fieldpath")
}
