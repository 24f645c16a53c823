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

// TestLoadOtherModuleDeps checks that the facts of a package of another
// module reach the packages that import it, as they do under go vet: a
// dependency of another module is read from source, and a package of the
// standard library that only it imports is read whole from export data
// (go/packages reads only what the named packages' imports refer to).
func TestLoadOtherModuleDeps(t *testing.T) {
	dir := writeModule(t, map[string]string{
		"go.mod":          "module example.com/m\n\ngo 1.26\n\nrequire example.com/dep v1.0.0\n\nreplace example.com/dep => ./dep\n",
		"m.go":            "package m\n\nimport \"example.com/dep\"\n\nfunc F() uint32 { dep.Marked(); return dep.Sum(\"x\") }\n",
		"dep/go.mod":      "module example.com/dep\n\ngo 1.26\n",
		"dep/dep.go":      "package dep\n\nimport \"hash/fnv\"\n\nfunc Marked() {}\n\n// Sum uses hash/fnv in its body only.\nfunc Sum(s string) uint32 {\n\th := fnv.New32a()\n\th.Write([]byte(s))\n\treturn h.Sum32()\n}\n",
		"dep/dep_test.go": "package dep\n\nimport \"testing\"\n\nfunc TestMarked(t *testing.T) { Marked() }\n",
	})
	res, err := run(context.Background(), []*analysis.Analyzer{factAnalyzer}, []string{"./..."}, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range res.Findings {
		got = append(got, f.Pos)
	}
	if want := []string{"m.go:5:19"}; !slices.Equal(got, want) {
		t.Errorf("got findings at %v, want %v (dep's facts, and none of dep's own findings)", got, want)
	}
}
