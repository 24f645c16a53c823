package transportidletimeout

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/connleak/connleak/vet/internal/analysisutil"
)

// releases indexes a package's releases by the variable, or the field
// path of one, released, and the http.Clients bound to variables by the
// Transport they are given.
type releases struct {
	info   *types.Info
	parent map[ast.Node]ast.Node
	byVar  map[*types.Var][]ast.Node
	byPath map[fieldPath][]ast.Node
	// clients of a Transport: those of the variable given as Transport,
	// and of the literal or new(http.Transport) written in the Client's.
	clientsOf    map[*types.Var][]*types.Var
	clientsOfLit map[ast.Expr][]*types.Var
}

func newReleases(pass *analysis.Pass, ins *inspector.Inspector) *releases {
	r := &releases{
		info:         pass.TypesInfo,
		parent:       analysisutil.Parents(pass.Files),
		clientsOf:    map[*types.Var][]*types.Var{},
		clientsOfLit: map[ast.Expr][]*types.Var{},
	}
	r.byVar = analysisutil.ReleasesByVar(r.info, r.parent, ins, analysisutil.IsReleaseMethod)
	r.byPath = releasesByPath(r.info, r.parent, ins)
	ins.WithStack([]ast.Node{(*ast.CompositeLit)(nil)}, func(n ast.Node, push bool, stack []ast.Node) bool {
		lit := n.(*ast.CompositeLit)
		if !push || !analysisutil.IsNamed(r.info.TypeOf(lit), "net/http", "Client") {
			return true
		}
		c := analysisutil.BoundVar(r.info, stack)
		t := analysisutil.KeyValue(lit, "Transport")
		if c == nil || t == nil {
			return true
		}
		t = ast.Unparen(t)
		if u, ok := t.(*ast.UnaryExpr); ok && u.Op == token.AND {
			t = ast.Unparen(u.X)
		}
		switch t := t.(type) {
		case *ast.Ident:
			if v, ok := r.info.Uses[t].(*types.Var); ok {
				r.clientsOf[v] = append(r.clientsOf[v], c)
			}
		case *ast.CompositeLit, *ast.CallExpr:
			r.clientsOfLit[t] = append(r.clientsOfLit[t], c)
		}
		return true
	})
	return r
}

// released reports whether the function fn, which makes the Transport lit
// (a literal or new(http.Transport); nil where it is not seen) at made
// and binds it to v (nil if it does not) or to the field path p (p.root
// nil if it does not), releases it for good after from
// (analysisutil.ReleasesMade): through v, through an http.Client given it
// and bound to a variable, or through p. Each variable must be fn's own:
// a package's Transport, or one fn was given, is used after fn returns;
// p's root must hold only what fn makes (madeHere).
func (r *releases) released(fn ast.Node, lit ast.Expr, v *types.Var, p fieldPath, made ast.Node, from token.Pos) bool {
	holders := r.clientsOfLit[lit]
	if v != nil {
		holders = append(append(holders, v), r.clientsOf[v]...)
	}
	var rels []ast.Node
	for _, h := range holders {
		if analysisutil.DeclaredIn(h, fn) {
			rels = append(rels, r.byVar[h]...)
		}
	}
	if p.root != nil && madeHere(r.info, fn, p.root) {
		rels = append(rels, r.byPath[p]...)
	}
	for _, rel := range rels {
		if analysisutil.ReleasesMade(r.info, r.parent, rel, fn, made, from) {
			return true
		}
	}
	return false
}

// releasesByPath indexes the package's releases (IsReleaseMethod) by the
// field path they are on: h.transport.CloseIdleConnections() and
// h.transport.CloseIdleConnections alike, the call where it is one.
func releasesByPath(info *types.Info, parent map[ast.Node]ast.Node, ins *inspector.Inspector) map[fieldPath][]ast.Node {
	byPath := map[fieldPath][]ast.Node{}
	analysisutil.ReleaseSites(info, parent, ins, analysisutil.IsReleaseMethod, func(sel *ast.SelectorExpr, at ast.Node) {
		if p, ok := pathOf(info, sel.X); ok {
			byPath[p] = append(byPath[p], at)
		}
	})
	return byPath
}
