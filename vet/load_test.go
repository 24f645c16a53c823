package vet

import (
	"context"
	"go/ast"
	"go/types"
	"slices"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/types/typeutil"
)

// marked is the fact factAnalyzer keeps of a function named Marked.
type marked struct{ Marked bool }

func (*marked) AFact()         {}
func (*marked) String() string { return "marked" }

// factAnalyzer marks the functions named Marked with a fact, and reports
// each call to a marked function: its findings need the facts of the
// packages a package imports.
var factAnalyzer = &analysis.Analyzer{
	Name:      "factcheck",
	Doc:       "report calls of functions named Marked, in any package",
	FactTypes: []analysis.Fact{new(marked)},
	Run: func(pass *analysis.Pass) (any, error) {
		for _, f := range pass.Files {
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.FuncDecl:
					if fn, ok := pass.TypesInfo.Defs[n.Name].(*types.Func); ok && fn.Name() == "Marked" {
						pass.ExportObjectFact(fn, &marked{true})
					}
				case *ast.CallExpr:
					if fn, ok := typeutil.Callee(pass.TypesInfo, n).(*types.Func); ok && pass.ImportObjectFact(fn, new(marked)) {
						pass.Report(analysis.Diagnostic{Pos: n.Pos(), Category: "factcheck", Message: "calls a marked function"})
					}
				}
				return true
			})
		}
		return nil, nil
	},
}

// TestLoadSameModuleDeps checks that a package's facts reach the packages
// that import it from the same module when only those are named: the
// packages of the module they import are loaded from source, and not
// checked themselves; and that NoTests leaves test files out.
func TestLoadSameModuleDeps(t *testing.T) {
	dir := writeModule(t, map[string]string{
		"a/a.go":      "package a\n\nfunc Marked() {}\n\nfunc Own() { Marked() }\n",
		"b/b.go":      "package b\n\nimport \"example.com/m/a\"\n\nfunc F() { a.Marked() }\n",
		"b/b_test.go": "package b\n\nimport (\n\t\"testing\"\n\n\t\"example.com/m/a\"\n)\n\nfunc TestF(t *testing.T) { a.Marked() }\n",
	})
	for _, tt := range []struct {
		opts Options
		want []string
	}{
		{Options{Dir: dir}, []string{"b/b.go:5:12", "b/b_test.go:9:28"}},
		{Options{Dir: dir, NoTests: true}, []string{"b/b.go:5:12"}},
	} {
		res, err := run(context.Background(), []*analysis.Analyzer{factAnalyzer}, []string{"./b"}, tt.opts)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range res.Findings {
			got = append(got, f.Pos)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("NoTests %v: got findings at %v, want %v (a's facts, and none of a's own findings)", tt.opts.NoTests, got, tt.want)
		}
	}
}
