package transportidletimeout

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

// Analyzer is the transport-idle-timeout check; see the package doc.
var Analyzer = &analysis.Analyzer{
	Name:     "transportidletimeout",
	Doc:      analysisutil.MustExtractDoc(doc, "transportidletimeout"),
	URL:      analysisutil.DocBase + analysisutil.CheckTransportIdleTimeout,
	Requires: []*analysis.Analyzer{inspect.Analyzer, analysisutil.Directives},
	Run:      runTransportIdleTimeout,
}

const (
	fixValue   = "90 * %s.Second"
	fixMessage = "Set IdleConnTimeout to 90s, as http.DefaultTransport does"
)

func runTransportIdleTimeout(pass *analysis.Pass) (any, error) {
	if !analysisutil.HasSyntax(pass) {
		return nil, nil
	}
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	assigns := analysisutil.FieldAssignments(ins, pass.TypesInfo)
	// later is what the statements after `v := &http.Transport{...}` set
	// on v: the most any assignment sets.
	later := func(v *types.Var, field string) analysisutil.Setting {
		s := analysisutil.Unset
		for _, a := range assigns[v] {
			if a.Field == field {
				s = max(s, analysisutil.ValueSetting(pass.TypesInfo, a.Value))
			}
		}
		return s
	}
	rel := newReleases(pass, ins)
	ins.WithStack([]ast.Node{(*ast.CompositeLit)(nil), (*ast.CallExpr)(nil)}, func(n ast.Node, push bool, stack []ast.Node) bool {
		if !push {
			return true
		}
		if call, ok := n.(*ast.CallExpr); ok {
			// new(http.Transport) is &http.Transport{}; its fix
			// rewrites it so.
			if !analysisutil.IsNew(pass.TypesInfo, call, "net/http", "Transport") {
				return true
			}
			v := analysisutil.BoundVar(pass.TypesInfo, stack)
			if v != nil {
				if _, ok := assignsTo(assigns[v], "IdleConnTimeout"); ok || later(v, "DisableKeepAlives") != analysisutil.Unset {
					return true // judged at that assignment
				}
			}
			if fn, _, _ := analysisutil.Enclosing(stack); fn != nil && rel.released(fn, call, v, call, call.End()) {
				return true
			}
			analysisutil.Report(pass, analysisutil.CheckTransportIdleTimeout, call.Pos(),
				analysisutil.NewWithField(pass, stack, "IdleConnTimeout", fixValue, fixMessage),
				"http.Transport without IdleConnTimeout keeps every idle connection for ever")
			return true
		}
		lit := n.(*ast.CompositeLit)
		if !analysisutil.IsNamed(pass.TypesInfo.TypeOf(lit), "net/http", "Transport") ||
			analysisutil.FieldSetting(pass.TypesInfo, lit, "IdleConnTimeout") != analysisutil.Unset ||
			analysisutil.FieldSetting(pass.TypesInfo, lit, "DisableKeepAlives") != analysisutil.Unset {
			return true
		}
		v := analysisutil.BoundVar(pass.TypesInfo, stack)
		if v != nil {
			if _, ok := assignsTo(assigns[v], "IdleConnTimeout"); ok || later(v, "DisableKeepAlives") != analysisutil.Unset {
				return true // judged at that assignment
			}
		}
		if fn, _, _ := analysisutil.Enclosing(stack); fn != nil && rel.released(fn, lit, v, lit, lit.End()) {
			return true
		}
		if value := analysisutil.KeyValue(lit, "IdleConnTimeout"); value != nil {
			analysisutil.Report(pass, analysisutil.CheckTransportIdleTimeout, lit.Pos(),
				analysisutil.ReplaceValue(pass, value, fixValue, fixMessage),
				"http.Transport with IdleConnTimeout 0 keeps every idle connection for ever")
			return true
		}
		analysisutil.Report(pass, analysisutil.CheckTransportIdleTimeout, lit.Pos(),
			analysisutil.AddField(pass, lit, "IdleConnTimeout", fixValue, fixMessage),
			"http.Transport without IdleConnTimeout keeps every idle connection for ever")
		return true
	})
	// t.IdleConnTimeout = 0, on any Transport: a literal, a clone of
	// http.DefaultTransport, a parameter.
	ins.Preorder([]ast.Node{(*ast.AssignStmt)(nil)}, func(n ast.Node) {
		a := n.(*ast.AssignStmt)
		if len(a.Lhs) != len(a.Rhs) {
			return
		}
		for i, lhs := range a.Lhs {
			sel, ok := ast.Unparen(lhs).(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "IdleConnTimeout" || !analysisutil.IsNamed(pass.TypesInfo.TypeOf(sel.X), "net/http", "Transport") ||
				analysisutil.ValueSetting(pass.TypesInfo, a.Rhs[i]) != analysisutil.Unset {
				continue
			}
			if id, ok := ast.Unparen(sel.X).(*ast.Ident); ok {
				v, _ := pass.TypesInfo.Uses[id].(*types.Var)
				if v != nil && later(v, "DisableKeepAlives") != analysisutil.Unset {
					continue
				}
				if fn := analysisutil.EnclosingFunc(rel.parent, a); v != nil && fn != nil && analysisutil.DeclaredIn(v, fn) && rel.released(fn, nil, v, a, v.Pos()) {
					continue
				}
			}
			analysisutil.Report(pass, analysisutil.CheckTransportIdleTimeout, lhs.Pos(),
				analysisutil.ReplaceValue(pass, a.Rhs[i], fixValue, fixMessage),
				"http.Transport with IdleConnTimeout 0 keeps every idle connection for ever")
		}
	})
	return nil, nil
}

// assignsTo is the last assignment to field among as.
func assignsTo(as []analysisutil.FieldAssign, field string) (analysisutil.FieldAssign, bool) {
	for i := len(as) - 1; i >= 0; i-- {
		if as[i].Field == field {
			return as[i], true
		}
	}
	return analysisutil.FieldAssign{}, false
}
