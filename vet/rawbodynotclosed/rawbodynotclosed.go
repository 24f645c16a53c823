package rawbodynotclosed

import (
	_ "embed"
	"go/ast"
	"go/constant"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/connleak/connleak/vet/internal/analysisutil"
)

//go:embed doc.go
var doc string

// Analyzer is the raw-body-not-closed check; see the package doc.
var Analyzer = &analysis.Analyzer{
	Name:     "rawbodynotclosed",
	Doc:      analysisutil.MustExtractDoc(doc, "rawbodynotclosed"),
	URL:      analysisutil.DocBase + analysisutil.CheckRawBodyNotClosed,
	Requires: []*analysis.Analyzer{inspect.Analyzer, analysisutil.Directives},
	Run:      runRawBodyNotClosed,
}

func runRawBodyNotClosed(pass *analysis.Pass) (any, error) {
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	ins.WithStack([]ast.Node{(*ast.CallExpr)(nil)}, func(n ast.Node, push bool, stack []ast.Node) bool {
		call := n.(*ast.CallExpr)
		if !push || !isDoNotParse(pass, call) {
			return true
		}
		_, body, _ := analysisutil.Enclosing(stack)
		resp := responseVar(pass, stack)
		if body != nil && resp != nil && rawBodyHandled(pass, body, resp) {
			return true
		}
		analysisutil.Report(pass, analysisutil.CheckRawBodyNotClosed, call.Pos(), nil,
			"SetDoNotParseResponse(true) makes the response body the caller's, and this function never closes RawBody(): the connection stays held, a readLoop and a writeLoop here and a conn.serve in the server; defer resp.RawBody().Close(), and read it to the end first")
		return true
	})
	return nil, nil
}

// isDoNotParse reports whether call is Resty's Request.SetDoNotParseResponse
// with a constant true.
func isDoNotParse(pass *analysis.Pass, call *ast.CallExpr) bool {
	fn, ok := analysisutil.Callee(pass, call).(*types.Func)
	if !ok || fn.Name() != "SetDoNotParseResponse" || fn.Pkg() == nil || !analysisutil.RestyPaths[fn.Pkg().Path()] || len(call.Args) != 1 {
		return false
	}
	recv := fn.Type().(*types.Signature).Recv()
	if recv == nil || !analysisutil.IsNamed(recv.Type(), fn.Pkg().Path(), "Request") {
		return false
	}
	tv, ok := pass.TypesInfo.Types[call.Args[0]]
	return ok && tv.Value != nil && tv.Value.Kind() == constant.Bool && constant.BoolVal(tv.Value)
}

// responseVar is the variable the request's response is assigned to: the
// first left-hand side of the assignment the call chain stands in.
func responseVar(pass *analysis.Pass, stack []ast.Node) types.Object {
	for i := len(stack) - 2; i >= 0; i-- {
		switch s := stack[i].(type) {
		case *ast.AssignStmt:
			if id, ok := s.Lhs[0].(*ast.Ident); ok {
				return pass.TypesInfo.ObjectOf(id)
			}
			return nil
		case *ast.ValueSpec:
			return pass.TypesInfo.ObjectOf(s.Names[0])
		case ast.Stmt, *ast.FuncLit:
			return nil
		}
	}
	return nil
}

// rawBodyHandled reports whether body calls resp.RawBody() and closes it,
// or hands it on to a call or a return.
func rawBodyHandled(pass *analysis.Pass, body *ast.BlockStmt, resp types.Object) bool {
	handled := false
	ast.Inspect(body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || handled {
			return !handled
		}
		// resp.RawBody().Close()
		if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Close" && isRawBody(pass, sel.X, resp) {
			handled = true
		}
		// f(resp.RawBody()), or something that takes it in
		for _, a := range call.Args {
			if isRawBody(pass, a, resp) {
				handled = true
			}
		}
		return !handled
	})
	return handled
}

func isRawBody(pass *analysis.Pass, e ast.Expr, resp types.Object) bool {
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "RawBody" {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	return ok && pass.TypesInfo.Uses[id] == resp
}
