package analysisutil

import (
	"go/ast"
	"go/types"
)

// Parents maps each node of the files to the node around it.
func Parents(files []*ast.File) map[ast.Node]ast.Node {
	parent := map[ast.Node]ast.Node{}
	for _, f := range files {
		var stack []ast.Node
		ast.Inspect(f, func(n ast.Node) bool {
			if n == nil {
				stack = stack[:len(stack)-1]
				return true
			}
			if len(stack) > 0 {
				parent[n] = stack[len(stack)-1]
			}
			stack = append(stack, n)
			return true
		})
	}
	return parent
}

// EnclosingFunc is the innermost *ast.FuncDecl or *ast.FuncLit around n;
// nil at package level.
func EnclosingFunc(parent map[ast.Node]ast.Node, n ast.Node) ast.Node {
	for p := parent[n]; p != nil; p = parent[p] {
		switch p.(type) {
		case *ast.FuncLit, *ast.FuncDecl:
			return p
		}
	}
	return nil
}

// IsReleaseMethod reports whether fn frees the idle connections of a
// pool: a CloseIdleConnections method, or Resty v3's Client.Close.
func IsReleaseMethod(fn *types.Func) bool {
	sig, ok := fn.Type().(*types.Signature)
	if !ok || sig.Recv() == nil {
		return false
	}
	if fn.Name() == "CloseIdleConnections" {
		return true
	}
	return fn.Name() == "Close" && fn.Pkg() != nil && RestyPaths[fn.Pkg().Path()]
}

// IsCleanup reports whether call is the Cleanup of a *testing.T, B or F,
// or of a testing.TB: it runs its function when the test, and its
// subtests, are done.
func IsCleanup(info *types.Info, call *ast.CallExpr) bool {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return false
	}
	fn, ok := info.Uses[sel.Sel].(*types.Func)
	return ok && fn.Name() == "Cleanup" && fn.Pkg() != nil && fn.Pkg().Path() == "testing" &&
		fn.Type().(*types.Signature).Recv() != nil && len(call.Args) == 1
}

// ReleasedAt is the function on whose way out the release r runs, or nil
// where it does not run so, and whether it runs by Cleanup. r is a call of a release method
// (IsReleaseMethod), x.CloseIdleConnections(), or its method value,
// x.CloseIdleConnections. It runs on the way out of F when it is
//
//   - deferred in F: defer x.CloseIdleConnections();
//   - called in a func literal deferred in F, defer func() { ... }(), or
//     handed to Cleanup in F, t.Cleanup(func() { ... });
//   - the method value handed to Cleanup in F:
//     t.Cleanup(x.CloseIdleConnections).
//
// Cleanup runs at the end of the test rather than of F: a pool made in F
// then lives as long as the test, which is what a test makes in its own
// body does too; a helper called many times makes that many.
func ReleasedAt(info *types.Info, parent map[ast.Node]ast.Node, r ast.Node) (at ast.Node, byCleanup bool) {
	if sel, ok := r.(*ast.SelectorExpr); ok { // a method value
		n := ast.Node(sel)
		for {
			if p, ok := parent[n].(*ast.ParenExpr); ok {
				n = p
				continue
			}
			break
		}
		if call, ok := parent[n].(*ast.CallExpr); ok && call.Fun != n && IsCleanup(info, call) {
			return EnclosingFunc(parent, call), true
		}
		return nil, false
	}
	call, ok := r.(*ast.CallExpr)
	if !ok {
		return nil, false
	}
	if d, ok := parent[call].(*ast.DeferStmt); ok && d.Call == call {
		return EnclosingFunc(parent, call), false
	}
	lit, ok := EnclosingFunc(parent, call).(*ast.FuncLit)
	if !ok {
		return nil, false
	}
	n := ast.Node(lit)
	for {
		if p, ok := parent[n].(*ast.ParenExpr); ok {
			n = p
			continue
		}
		break
	}
	outer, ok := parent[n].(*ast.CallExpr)
	if !ok {
		return nil, false
	}
	if outer.Fun == n {
		if d, ok := parent[outer].(*ast.DeferStmt); ok && d.Call == outer {
			return EnclosingFunc(parent, outer), false
		}
		return nil, false
	}
	if IsCleanup(info, outer) {
		return EnclosingFunc(parent, outer), true
	}
	return nil, false
}
