package bodynotclosed_test

import (
	"go/token"
	"go/types"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/connleak/connleak/vet/bodynotclosed"
	"github.com/connleak/connleak/vet/internal/analysisutil"
)

// Test runs every case but the fixes' in one load, as type-checking
// net/http from source is most of what a run costs. helper, caller,
// decoder and decodercaller check the facts across packages: helper
// returns open bodies and closes what it is given, and caller is told so;
// decoder replaces bodies with decoders of them and returns one, and
// decodercaller, told so, takes no read of one to its end for a close.
func Test(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), bodynotclosed.Analyzer,
		"nethttp", "resty", "ignored", "apiclient", "doer", "respcallback", "respcallback/service", "retrycallback",
		"helper", "caller", "decoder", "decodercaller")
}

func TestFix(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), bodynotclosed.Analyzer, "fix")
}

// TestNoSyntax runs the analyzer on a package as connleak vet's driver
// loads a dependency, from export data: no files, no type information. It
// returns at once, with neither an error nor a fact.
func TestNoSyntax(t *testing.T) {
	exported := 0
	pass := &analysis.Pass{
		Analyzer:          bodynotclosed.Analyzer,
		Fset:              token.NewFileSet(),
		Pkg:               types.NewPackage("example.com/dep", "dep"),
		ResultOf:          map[*analysis.Analyzer]any{analysisutil.Directives: nil},
		Report:            func(d analysis.Diagnostic) { t.Errorf("reported %q", d.Message) },
		ExportPackageFact: func(analysis.Fact) { exported++ },
		ExportObjectFact:  func(types.Object, analysis.Fact) { exported++ },
	}
	if res, err := bodynotclosed.Analyzer.Run(pass); res != nil || err != nil || exported != 0 {
		t.Errorf("got %v, %v and %d facts, want nothing", res, err, exported)
	}
}
