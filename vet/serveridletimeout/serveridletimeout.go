package serveridletimeout

import (
	_ "embed"
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/connleak/connleak/vet/internal/analysisutil"
)

//go:embed doc.go
var doc string

// Analyzer is the server-idle-timeout check; see the package doc.
var Analyzer = &analysis.Analyzer{
	Name:     "serveridletimeout",
	Doc:      analysisutil.MustExtractDoc(doc, "serveridletimeout"),
	URL:      analysisutil.DocBase + analysisutil.CheckServerIdleTimeout,
	Requires: []*analysis.Analyzer{inspect.Analyzer, analysisutil.Directives},
	Run:      runServerIdleTimeout,
}

// serveFuncs run an http.Server with no timeouts.
var serveFuncs = map[string]bool{"ListenAndServe": true, "ListenAndServeTLS": true, "Serve": true, "ServeTLS": true}

func runServerIdleTimeout(pass *analysis.Pass) (any, error) {
	if !analysisutil.HasSyntax(pass) {
		return nil, nil
	}
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	assigns := analysisutil.FieldAssignments(ins, pass.TypesInfo)
	rel := newReleases(pass, ins)
	ins.WithStack([]ast.Node{(*ast.CompositeLit)(nil), (*ast.CallExpr)(nil)}, func(n ast.Node, push bool, stack []ast.Node) bool {
		if !push {
			return true
		}
		switch n := n.(type) {
		case *ast.CompositeLit:
			if !analysisutil.IsNamed(pass.TypesInfo.TypeOf(n), "net/http", "Server") ||
				analysisutil.FieldSetting(pass.TypesInfo, n, "IdleTimeout") != analysisutil.Unset ||
				analysisutil.FieldSetting(pass.TypesInfo, n, "ReadTimeout") != analysisutil.Unset {
				return true
			}
			if setLater(pass, assigns, stack) || rel.released(stack) {
				return true
			}
			fix := analysisutil.AddField(pass, n, "IdleTimeout", fixValue, fixMessage)
			if value := analysisutil.KeyValue(n, "IdleTimeout"); value != nil {
				fix = analysisutil.ReplaceValue(pass, value, fixValue, fixMessage)
			}
			analysisutil.Report(pass, analysisutil.CheckServerIdleTimeout, n.Pos(), fix,
				"http.Server without IdleTimeout or ReadTimeout keeps every idle connection for ever")
		case *ast.CallExpr:
			if analysisutil.IsNew(pass.TypesInfo, n, "net/http", "Server") {
				// new(http.Server) is &http.Server{}; its fix rewrites it so,
				// unless a later IdleTimeout = 0 would undo it.
				if !setLater(pass, assigns, stack) && !rel.released(stack) {
					fix := analysisutil.NewWithField(pass, stack, "IdleTimeout", fixValue, fixMessage)
					if v := analysisutil.BoundVar(pass.TypesInfo, stack); v != nil {
						for _, a := range assigns[v] {
							if a.Field == "IdleTimeout" {
								fix = nil
							}
						}
					}
					analysisutil.Report(pass, analysisutil.CheckServerIdleTimeout, n.Pos(), fix,
						"http.Server without IdleTimeout or ReadTimeout keeps every idle connection for ever")
				}
				return true
			}
			fn, ok := analysisutil.Callee(pass, n).(*types.Func)
			if !ok || fn.Pkg() == nil || fn.Pkg().Path() != "net/http" || !serveFuncs[fn.Name()] || fn.Type().(*types.Signature).Recv() != nil {
				return true
			}
			analysisutil.Report(pass, analysisutil.CheckServerIdleTimeout, n.Pos(), nil,
				"http.%s runs an http.Server with no timeouts: it keeps every idle connection for ever", fn.Name())
		}
		return true
	})
	return nil, nil
}

// releases indexes a package's Closes and Shutdowns of Servers (calls and
// method values) by the variable they are on.
type releases struct {
	info   *types.Info
	parent map[ast.Node]ast.Node
	byVar  map[*types.Var][]ast.Node
}

func newReleases(pass *analysis.Pass, ins *inspector.Inspector) *releases {
	r := &releases{info: pass.TypesInfo, parent: analysisutil.Parents(pass.Files)}
	r.byVar = analysisutil.ReleasesByVar(r.info, r.parent, ins, analysisutil.IsServerRelease)
	return r
}

// released reports whether the Server on top of stack is bound to a
// variable of the function that makes it, which closes it, or shuts it
// down, for good (analysisutil.ReleasesMade): the Server and its
// connections then live no longer than the function, or the test.
func (r *releases) released(stack []ast.Node) bool {
	v := analysisutil.BoundVar(r.info, stack)
	fn, _, _ := analysisutil.Enclosing(stack)
	if v == nil || fn == nil || !analysisutil.DeclaredIn(v, fn) {
		return false
	}
	made := stack[len(stack)-1]
	for _, rel := range r.byVar[v] {
		if analysisutil.ReleasesMade(r.info, r.parent, rel, fn, made, made.End()) {
			return true
		}
	}
	return false
}

// setLater reports whether the Server on top of stack is bound to a
// variable to whose IdleTimeout or ReadTimeout a later statement gives a
// timeout.
func setLater(pass *analysis.Pass, assigns map[*types.Var][]analysisutil.FieldAssign, stack []ast.Node) bool {
	v := analysisutil.BoundVar(pass.TypesInfo, stack)
	if v == nil {
		return false
	}
	for _, a := range assigns[v] {
		if (a.Field == "IdleTimeout" || a.Field == "ReadTimeout") && analysisutil.ValueSetting(pass.TypesInfo, a.Value) != analysisutil.Unset {
			return true
		}
	}
	return false
}

const (
	fixValue   = "2 * %s.Minute"
	fixMessage = "Set IdleTimeout to 2 minutes"
)
