package bodynotclosed

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/astutil"
	"golang.org/x/tools/go/ssa"

	"github.com/connleak/connleak/vet/internal/analysisutil"
)

// report reports the leak l of the flow's body, at the call that opens it.
func (s *state) report(f *flow, l leak) {
	pass := s.pass
	path, call := callExpr(pass, f.src.call)
	if call == nil {
		return
	}
	what := "response body"
	if f.src.raw {
		what = "raw body"
	}
	if f.src.callback {
		what = "body the callback returns"
	}
	var msg string
	var fixes []analysis.SuggestedFix
	switch {
	case dropped(f.src.roots()):
		msg = what + " never closed: the response is dropped"
	case len(f.events) == 0 && len(f.partial) == 0:
		msg = what + " never closed"
		if !f.src.raw {
			fixes = deferClose(pass, path, call)
		}
	case l.loop:
		msg = what + " not closed on every path: the loop's next call drops it"
	case l.withErr && isRoundTripMethod(f.fn):
		msg = fmt.Sprintf("%s returned open with an error at the return on line %d: a RoundTripper's caller, net/http's Client among them, drops it", what, pass.Fset.Position(l.at).Line)
	case l.withErr:
		msg = fmt.Sprintf("%s returned open with an error at the return on line %d: a caller that checks the error drops it", what, pass.Fset.Position(l.at).Line)
	case l.at.IsValid():
		msg = fmt.Sprintf("%s not closed on every path: open at the return on line %d", what, pass.Fset.Position(l.at).Line)
	default:
		msg = what + " not closed on every path: open at the end of the function"
	}
	if f.unread {
		msg += unreadNote
	}
	analysisutil.Report(pass, analysisutil.CheckBodyNotClosed, call.Pos(), fixes, "%s", msg)
}

// deferClose is the fix that defers the close of a body never closed, for
// the one shape where that is safe:
//
//	resp, err := c.Do(req)
//	if err != nil {
//		return ...
//	}
//
// outside any loop: `defer resp.Body.Close()` goes after the if (`defer
// body.Close()` for a body returned alone). Nothing else in the function
// closes the body or hands it on (the caller checks), so the close is the
// only one, and it runs on the paths with a body.
func deferClose(pass *analysis.Pass, path []ast.Node, call *ast.CallExpr) []analysis.SuggestedFix {
	for i := 0; i+2 < len(path); i++ {
		assign, ok := path[i].(*ast.AssignStmt)
		if !ok {
			continue
		}
		block, ok := path[i+1].(*ast.BlockStmt)
		if !ok || len(assign.Rhs) != 1 || assign.Rhs[0] != call {
			return nil
		}
		for _, n := range path[i+2:] {
			switch n.(type) {
			case *ast.ForStmt, *ast.RangeStmt:
				return nil // in a loop: the defers would pile up
			case *ast.FuncDecl, *ast.FuncLit:
				return fixAfter(pass, assign, block)
			}
		}
		return nil
	}
	return nil
}

func fixAfter(pass *analysis.Pass, assign *ast.AssignStmt, block *ast.BlockStmt) []analysis.SuggestedFix {
	if len(assign.Lhs) != 2 {
		return nil
	}
	resp, ok1 := assign.Lhs[0].(*ast.Ident)
	errID, ok2 := assign.Lhs[1].(*ast.Ident)
	if !ok1 || !ok2 || resp.Name == "_" || errID.Name == "_" {
		return nil
	}
	i := 0
	for i < len(block.List) && block.List[i] != ast.Stmt(assign) {
		i++
	}
	if i+1 >= len(block.List) {
		return nil
	}
	ifs, ok := block.List[i+1].(*ast.IfStmt)
	if !ok || ifs.Init != nil || ifs.Else != nil || len(ifs.Body.List) == 0 {
		return nil
	}
	if _, ok := ifs.Body.List[len(ifs.Body.List)-1].(*ast.ReturnStmt); !ok {
		return nil
	}
	cond, ok := ifs.Cond.(*ast.BinaryExpr)
	if !ok || cond.Op != token.NEQ {
		return nil
	}
	x, ok1 := cond.X.(*ast.Ident)
	y, ok2 := cond.Y.(*ast.Ident)
	errObj := pass.TypesInfo.ObjectOf(errID)
	if !ok1 || !ok2 || errObj == nil || pass.TypesInfo.ObjectOf(x) != errObj || pass.TypesInfo.ObjectOf(y) != types.Universe.Lookup("nil") {
		return nil
	}
	var closeCall string
	switch t := pass.TypesInfo.TypeOf(resp); {
	case t == nil:
		return nil
	case isPointerTo(t, "Response"):
		closeCall = resp.Name + ".Body.Close()"
	case isWrapper(t):
		closeCall = resp.Name + ".Body.Close()"
		if fld := responseField(t); !fld.Embedded() {
			closeCall = resp.Name + "." + fld.Name() + ".Body.Close()"
		}
	case types.IsInterface(t) && closable(t):
		closeCall = resp.Name + ".Close()" // the body alone
	default:
		return nil
	}
	col := pass.Fset.Position(assign.Pos()).Column
	text := "\n" + strings.Repeat("\t", col-1) + "defer " + closeCall
	return []analysis.SuggestedFix{{
		Message:   "Close the body: defer " + closeCall + " after the error check",
		TextEdits: []analysis.TextEdit{{Pos: ifs.End(), End: ifs.End(), NewText: []byte(text)}},
	}}
}

// callExpr is the expression of the call c, and the path of nodes from it
// to its file's, or nil.
func callExpr(pass *analysis.Pass, c *ssa.Call) ([]ast.Node, *ast.CallExpr) {
	file := fileOf(pass, c.Pos())
	if file == nil {
		return nil, nil
	}
	path, _ := astutil.PathEnclosingInterval(file, c.Pos(), c.Pos())
	for _, n := range path {
		if call, ok := n.(*ast.CallExpr); ok && call.Lparen == c.Pos() {
			return path, call
		}
	}
	return nil, nil
}

func fileOf(pass *analysis.Pass, pos token.Pos) *ast.File {
	for _, f := range pass.Files {
		if f.FileStart <= pos && pos <= f.FileEnd {
			return f
		}
	}
	return nil
}

// dropped reports whether nothing uses the values that carry the body.
func dropped(roots []ssa.Value) bool {
	for _, r := range roots {
		if refs := r.Referrers(); refs != nil && len(*refs) > 0 {
			return false
		}
	}
	return true
}
