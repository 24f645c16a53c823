package vet

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/connleak/connleak/vet/transportidletimeout"
)

// BenchmarkIgnore runs transportidletimeout on a file of 10,000 Transports,
// each silenced by a directive on the line above.
func BenchmarkIgnore(b *testing.B) {
	const n = 10000
	var src strings.Builder
	src.WriteString("package p\n\nimport \"net/http\"\n\nvar (\n")
	for i := range n {
		fmt.Fprintf(&src, "\t//connleak:ignore transport-idle-timeout a benchmark\n\tt%d = &http.Transport{}\n", i)
	}
	src.WriteString(")\n")
	dir := writeModule(b, map[string]string{"p/p.go": src.String()})
	mode := packages.NeedName | packages.NeedFiles | packages.NeedImports | packages.NeedTypes |
		packages.NeedTypesSizes | packages.NeedSyntax | packages.NeedTypesInfo
	pkgs, err := packages.Load(&packages.Config{Mode: mode, Dir: dir}, "./p")
	if err != nil || packages.PrintErrors(pkgs) > 0 {
		b.Fatalf("load: %v", err)
	}
	for b.Loop() {
		g, err := checker.Analyze([]*analysis.Analyzer{transportidletimeout.Analyzer}, pkgs, nil)
		if err != nil {
			b.Fatal(err)
		}
		for act := range g.All() {
			if act.Err != nil || act.IsRoot && len(act.Diagnostics) > 0 {
				b.Fatalf("got %v and %d findings, want none", act.Err, len(act.Diagnostics))
			}
		}
	}
}

// BenchmarkRun runs Run on ./... of a module, every check, tests included:
// connleak's own, or the one in the directory $CONNLEAK_BENCH_MODULE. Run
// keeps nothing between runs: each loads and checks every package again,
// and the dependencies that are not the standard library's from source.
// It reports the findings too (docs/benchmarks.md has the numbers).
func BenchmarkRun(b *testing.B) {
	dir := os.Getenv("CONNLEAK_BENCH_MODULE")
	if dir == "" {
		dir = ".."
	}
	var found int
	for b.Loop() {
		res, err := Run(context.Background(), nil, Options{Dir: dir})
		if err != nil {
			b.Fatal(err)
		}
		found = len(res.Findings)
	}
	b.ReportMetric(float64(found), "findings")
}
