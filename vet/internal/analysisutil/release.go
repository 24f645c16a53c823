package analysisutil

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ast/inspector"
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

// IsServerRelease reports whether fn closes an *http.Server, and with it
// every connection it holds: its Close or Shutdown. It is a release of
// Servers only, not of connection pools.
func IsServerRelease(fn *types.Func) bool {
	sig, ok := fn.Type().(*types.Signature)
	if !ok || sig.Recv() == nil || (fn.Name() != "Close" && fn.Name() != "Shutdown") {
		return false
	}
	return IsNamed(sig.Recv().Type(), "net/http", "Server")
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

// ReleasesMade reports whether the release r (a call of a release method
// or its method value, as for ReleasedAt) frees what the function fn
// makes at made for good: on fn's way out (ReleasedAt), after from unless
// r is in a closure, which takes its receiver when it runs; or called as
// a statement of fn after made, in made's block or a block around it,
// with no loop in between (then it runs once for each time made does).
func ReleasesMade(info *types.Info, parent map[ast.Node]ast.Node, r, fn, made ast.Node, from token.Pos) bool {
	rfn := EnclosingFunc(parent, r)
	if at, _ := ReleasedAt(info, parent, r); at != nil {
		return at == fn && (rfn != at || r.Pos() > from)
	}
	stmt, ok := parent[r].(*ast.ExprStmt)
	if !ok || made == nil || rfn != fn || r.Pos() < made.End() {
		return false
	}
	block := parent[stmt]
	for child, n := made, parent[made]; n != nil && n != fn; child, n = n, parent[n] {
		if n == block {
			return true
		}
		if Repeats(n, child) {
			return false
		}
	}
	return false
}

// Repeats reports whether child, a child of stmt, runs again each time
// round: stmt is a loop, and child its body, or a for's condition or post
// statement (a range's expression, or a for's init, runs once).
func Repeats(stmt, child ast.Node) bool {
	switch s := stmt.(type) {
	case *ast.ForStmt:
		return child == s.Body || child == s.Cond || child == s.Post
	case *ast.RangeStmt:
		return child == s.Body
	}
	return false
}

// ReleasesByVar indexes the package's calls and method values of the
// methods isRelease accepts by the variable they are on: v.Close() and
// v.Close alike, the call where it is one.
func ReleasesByVar(info *types.Info, parent map[ast.Node]ast.Node, ins *inspector.Inspector, isRelease func(*types.Func) bool) map[*types.Var][]ast.Node {
	byVar := map[*types.Var][]ast.Node{}
	ReleaseSites(info, parent, ins, isRelease, func(sel *ast.SelectorExpr, at ast.Node) {
		id, ok := ast.Unparen(sel.X).(*ast.Ident)
		if !ok {
			return
		}
		if v, ok := info.Uses[id].(*types.Var); ok {
			byVar[v] = append(byVar[v], at)
		}
	})
	return byVar
}

// ReleaseSites calls visit with each selector of the package that names a
// method isRelease accepts, and the node that releases: the call where the
// selector is called (x.Close()), else the selector itself, a method value
// (t.Cleanup(x.Close)).
func ReleaseSites(info *types.Info, parent map[ast.Node]ast.Node, ins *inspector.Inspector, isRelease func(*types.Func) bool, visit func(sel *ast.SelectorExpr, at ast.Node)) {
	ins.Preorder([]ast.Node{(*ast.SelectorExpr)(nil)}, func(n ast.Node) {
		sel := n.(*ast.SelectorExpr)
		fn, ok := info.Uses[sel.Sel].(*types.Func)
		if !ok || !isRelease(fn) {
			return
		}
		var at ast.Node = sel
		if call, ok := parent[sel].(*ast.CallExpr); ok && call.Fun == sel {
			at = call
		}
		visit(sel, at)
	})
}

// DeclaredIn reports whether v is declared in fn's body.
func DeclaredIn(v *types.Var, fn ast.Node) bool {
	var body *ast.BlockStmt
	switch fn := fn.(type) {
	case *ast.FuncDecl:
		body = fn.Body
	case *ast.FuncLit:
		body = fn.Body
	}
	return body != nil && body.Pos() <= v.Pos() && v.Pos() < body.End()
}
