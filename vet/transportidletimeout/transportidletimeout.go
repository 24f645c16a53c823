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

// A checker holds what the reports of one package share: the field
// assignments of its variables and its releases.
type checker struct {
	pass    *analysis.Pass
	assigns map[*types.Var][]analysisutil.FieldAssign
	rel     *releases
}

func runTransportIdleTimeout(pass *analysis.Pass) (any, error) {
	if !analysisutil.HasSyntax(pass) {
		return nil, nil
	}
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	c := &checker{pass: pass, assigns: analysisutil.FieldAssignments(ins, pass.TypesInfo), rel: newReleases(pass, ins)}
	ins.WithStack([]ast.Node{(*ast.CompositeLit)(nil), (*ast.CallExpr)(nil)}, func(n ast.Node, push bool, stack []ast.Node) bool {
		if !push {
			return true
		}
		switch n := n.(type) {
		case *ast.CallExpr:
			c.checkNew(n, stack)
		case *ast.CompositeLit:
			c.checkLit(n, stack)
		}
		return true
	})
	ins.Preorder([]ast.Node{(*ast.AssignStmt)(nil)}, func(n ast.Node) {
		c.checkAssign(n.(*ast.AssignStmt))
	})
	return nil, nil
}

// later is what the statements after `v := &http.Transport{...}` set on
// v's field: the most any assignment sets.
func (c *checker) later(v *types.Var, field string) analysisutil.Setting {
	s := analysisutil.Unset
	for _, a := range c.assigns[v] {
		if a.Field == field {
			s = max(s, analysisutil.ValueSetting(c.pass.TypesInfo, a.Value))
		}
	}
	return s
}

// judgedLater reports whether the IdleConnTimeout the package assigns to
// v, a Transport of type name (transportName), decides: one assigned to
// an http.Transport is judged at that assignment. An http2.Transport's
// assignment of 0 is not judged (one from ConfigureTransports then takes
// its HTTP/1 Transport's): its literal is, with the most the package
// assigns.
func (c *checker) judgedLater(v *types.Var, name string) bool {
	if v == nil {
		return false
	}
	if name == "http2.Transport" {
		return c.later(v, "IdleConnTimeout") != analysisutil.Unset
	}
	_, ok := assignsTo(c.assigns[v], "IdleConnTimeout")
	return ok
}

// bound is the variable, or else the field path (pathOf), that the
// Transport on top of stack is assigned to; nil and no path where neither.
func (c *checker) bound(stack []ast.Node) (*types.Var, fieldPath) {
	to := analysisutil.BoundTo(stack)
	if id, ok := to.(*ast.Ident); ok {
		v, _ := c.pass.TypesInfo.ObjectOf(id).(*types.Var)
		return v, fieldPath{}
	}
	if to == nil {
		return nil, fieldPath{}
	}
	p, _ := pathOf(c.pass.TypesInfo, to)
	return nil, p
}

// checkNew reports new(http.Transport), which is &http.Transport{}, and
// new(http2.Transport); its fix rewrites it so.
func (c *checker) checkNew(call *ast.CallExpr, stack []ast.Node) {
	name := newTransport(c.pass.TypesInfo, call)
	if name == "" {
		return
	}
	v, p := c.bound(stack)
	off := c.keepAlivesOff(nil, v)
	if off == analysisutil.Set || c.judgedLater(v, name) {
		return
	}
	if fn, _, _ := analysisutil.Enclosing(stack); fn != nil && c.rel.released(fn, call, v, p, call, call.End()) || c.forTestServer(stack) {
		return
	}
	analysisutil.Report(c.pass, analysisutil.CheckTransportIdleTimeout, call.Pos(),
		analysisutil.NewWithField(c.pass, stack, "IdleConnTimeout", fixValue, fixMessage),
		"%s without IdleConnTimeout keeps every idle connection for ever%s", name, unless(off))
}

// checkLit reports a Transport literal, net/http's or x/net/http2's, that
// sets no IdleConnTimeout, or sets it to 0, and no constant true
// DisableKeepAlives (http2's has none); one known only at run time leaves
// the finding standing, as it holds unless that is true.
func (c *checker) checkLit(lit *ast.CompositeLit, stack []ast.Node) {
	info := c.pass.TypesInfo
	name := transportName(info.TypeOf(lit))
	if name == "" || analysisutil.FieldSetting(info, lit, "IdleConnTimeout") != analysisutil.Unset {
		return
	}
	v, p := c.bound(stack)
	off := c.keepAlivesOff(lit, v)
	if off == analysisutil.Set || c.judgedLater(v, name) {
		return
	}
	if fn, _, _ := analysisutil.Enclosing(stack); fn != nil && c.rel.released(fn, lit, v, p, lit, lit.End()) || c.forTestServer(stack) {
		return
	}
	if value := analysisutil.KeyValue(lit, "IdleConnTimeout"); value != nil {
		analysisutil.Report(c.pass, analysisutil.CheckTransportIdleTimeout, lit.Pos(),
			analysisutil.ReplaceValue(c.pass, value, fixValue, fixMessage),
			"%s with IdleConnTimeout 0 keeps every idle connection for ever%s", name, unless(off))
		return
	}
	analysisutil.Report(c.pass, analysisutil.CheckTransportIdleTimeout, lit.Pos(),
		analysisutil.AddField(c.pass, lit, "IdleConnTimeout", fixValue, fixMessage),
		"%s without IdleConnTimeout keeps every idle connection for ever%s", name, unless(off))
}

// checkAssign reports t.IdleConnTimeout = 0, on any Transport: a literal,
// a clone of http.DefaultTransport, a parameter.
func (c *checker) checkAssign(a *ast.AssignStmt) {
	info := c.pass.TypesInfo
	if len(a.Lhs) != len(a.Rhs) {
		return
	}
	for i, lhs := range a.Lhs {
		sel, ok := ast.Unparen(lhs).(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "IdleConnTimeout" || !analysisutil.IsNamed(info.TypeOf(sel.X), "net/http", "Transport") ||
			analysisutil.ValueSetting(info, a.Rhs[i]) != analysisutil.Unset {
			continue
		}
		off := analysisutil.Unset
		if id, ok := ast.Unparen(sel.X).(*ast.Ident); ok {
			v, _ := info.Uses[id].(*types.Var)
			if off = c.keepAlivesOff(nil, v); off == analysisutil.Set {
				continue
			}
			if fn := analysisutil.EnclosingFunc(c.rel.parent, a); v != nil && fn != nil && analysisutil.DeclaredIn(v, fn) && c.rel.released(fn, nil, v, fieldPath{}, a, v.Pos()) {
				continue
			}
		}
		analysisutil.Report(c.pass, analysisutil.CheckTransportIdleTimeout, lhs.Pos(),
			analysisutil.ReplaceValue(c.pass, a.Rhs[i], fixValue, fixMessage),
			"http.Transport with IdleConnTimeout 0 keeps every idle connection for ever%s", unless(off))
	}
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
