package clientpercall

import (
	_ "embed"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/connleak/connleak/vet/internal/analysisutil"
)

//go:embed doc.go
var doc string

// Analyzer is the client-per-call check; see the package doc.
var Analyzer = &analysis.Analyzer{
	Name:     "clientpercall",
	Doc:      analysisutil.MustExtractDoc(doc, "clientpercall"),
	URL:      analysisutil.DocBase + analysisutil.CheckClientPerCall,
	Requires: []*analysis.Analyzer{inspect.Analyzer, analysisutil.Directives},
	Run:      runClientPerCall,
}

func runClientPerCall(pass *analysis.Pass) (any, error) {
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	ins.WithStack([]ast.Node{(*ast.CompositeLit)(nil), (*ast.CallExpr)(nil)}, func(n ast.Node, push bool, stack []ast.Node) bool {
		if !push {
			return true
		}
		what := pool(pass, n, stack)
		if what == "" {
			return true
		}
		fn, body, inLoop := analysisutil.Enclosing(stack)
		var where string
		switch {
		case fn == nil:
			return true // a package variable: made once
		case inLoop:
			where = "inside a loop"
		case isHandler(pass, fn):
			where = "inside an HTTP handler"
		case isMainOrInit(fn):
			return true // made once
		case kept(pass, n, stack, body):
			return true
		default:
			where = "and dropped when the function returns"
		}
		analysisutil.Report(pass, analysisutil.CheckClientPerCall, n.Pos(), nil,
			"%s made per call (%s): each call makes a connection pool that nothing shares, and its idle connections stay, a readLoop and a writeLoop each here and a conn.serve in the server; make one, keep it, and share it", what, where)
		return true
	})
	return nil, nil
}

// pool says what pool n makes, or "".
func pool(pass *analysis.Pass, n ast.Node, stack []ast.Node) string {
	switch n := n.(type) {
	case *ast.CompositeLit:
		t := pass.TypesInfo.TypeOf(n)
		switch {
		case analysisutil.IsNamed(t, "net/http", "Transport") && keepsNone(n):
			return "" // DisableKeepAlives: no pool to leave behind
		case analysisutil.IsNamed(t, "net/http", "Transport"):
			if kv, ok := parent(stack, 1).(*ast.KeyValueExpr); ok {
				if lit, ok := parent(stack, 2).(*ast.CompositeLit); ok && analysisutil.IsNamed(pass.TypesInfo.TypeOf(lit), "net/http", "Client") && kv.Value == n {
					return "" // the Client literal it belongs to is the pool
				}
			}
			if u, ok := parent(stack, 1).(*ast.UnaryExpr); ok && u.Op == token.AND {
				if kv, ok := parent(stack, 2).(*ast.KeyValueExpr); ok {
					if lit, ok := parent(stack, 3).(*ast.CompositeLit); ok && analysisutil.IsNamed(pass.TypesInfo.TypeOf(lit), "net/http", "Client") && kv.Value == u {
						return ""
					}
				}
			}
			return "an http.Transport"
		case analysisutil.IsNamed(t, "net/http", "Client") && analysisutil.KeyValue(n, "Transport") != nil:
			if tr, ok := unparen(analysisutil.KeyValue(n, "Transport")).(*ast.CompositeLit); ok && keepsNone(tr) {
				return ""
			}
			return "an http.Client with a Transport of its own"
		}
	case *ast.CallExpr:
		if fn, ok := analysisutil.Callee(pass, n).(*types.Func); ok && fn.Pkg() != nil && analysisutil.RestyPaths[fn.Pkg().Path()] &&
			(fn.Name() == "New" || fn.Name() == "NewWithClient") && fn.Type().(*types.Signature).Recv() == nil {
			return "a Resty client"
		}
	}
	return ""
}

// keepsNone reports whether a Transport literal sets DisableKeepAlives to
// true: it keeps no connection once its request is done.
func keepsNone(lit *ast.CompositeLit) bool {
	id, ok := analysisutil.KeyValue(lit, "DisableKeepAlives").(*ast.Ident)
	return ok && id.Name == "true"
}

// unparen strips parentheses and an & from e.
func unparen(e ast.Expr) ast.Expr {
	for {
		switch x := e.(type) {
		case *ast.ParenExpr:
			e = x.X
		case *ast.UnaryExpr:
			if x.Op != token.AND {
				return e
			}
			e = x.X
		default:
			return e
		}
	}
}

// parent is the node i levels above the top of stack (1: its parent).
func parent(stack []ast.Node, i int) ast.Node {
	if len(stack)-1-i < 0 {
		return nil
	}
	return stack[len(stack)-1-i]
}

// isHandler reports whether fn takes an http.ResponseWriter and an
// *http.Request.
func isHandler(pass *analysis.Pass, fn ast.Node) bool {
	var ft *ast.FuncType
	switch fn := fn.(type) {
	case *ast.FuncLit:
		ft = fn.Type
	case *ast.FuncDecl:
		ft = fn.Type
	}
	var w, r bool
	for _, f := range ft.Params.List {
		t := pass.TypesInfo.TypeOf(f.Type)
		w = w || analysisutil.IsNamed(t, "net/http", "ResponseWriter")
		_, ptr := t.(*types.Pointer)
		r = r || ptr && analysisutil.IsNamed(t, "net/http", "Request")
	}
	return w && r
}

// isMainOrInit reports whether fn runs once: main, init, or a test,
// benchmark, fuzz target or example.
func isMainOrInit(fn ast.Node) bool {
	d, ok := fn.(*ast.FuncDecl)
	if !ok || d.Recv != nil {
		return false
	}
	name := d.Name.Name
	return name == "main" || name == "init" ||
		strings.HasPrefix(name, "Test") || strings.HasPrefix(name, "Benchmark") || strings.HasPrefix(name, "Fuzz") || strings.HasPrefix(name, "Example")
}

// kept reports whether what n makes outlives the call: returned, stored
// outside the function, put in a composite literal, or handed to a call.
func kept(pass *analysis.Pass, n ast.Node, stack []ast.Node, body *ast.BlockStmt) bool {
	expr := ast.Node(n)
	made := pass.TypesInfo.TypeOf(n.(ast.Expr))
	for i := 1; ; i++ {
		switch p := parent(stack, i).(type) {
		case *ast.UnaryExpr, *ast.ParenExpr:
			expr = p
			continue
		case *ast.SelectorExpr:
			// A builder's method that returns what it was called on, as
			// Resty's setters do: the chain's result is the same client.
			if call, ok := parent(stack, i+1).(*ast.CallExpr); ok && call.Fun == p && made != nil && types.Identical(pass.TypesInfo.TypeOf(call), made) {
				expr = call
				i++
				continue
			}
			return false
		case *ast.ReturnStmt, *ast.KeyValueExpr, *ast.CompositeLit:
			return true
		case *ast.CallExpr:
			return p.Fun != expr // an argument; a method called on it is no keeping
		case *ast.AssignStmt:
			for j, rhs := range p.Rhs {
				if rhs == expr && j < len(p.Lhs) {
					return keptVar(pass, p.Lhs[j], body)
				}
			}
			return false
		case *ast.ValueSpec:
			for j, v := range p.Values {
				if v == expr && j < len(p.Names) {
					return keptVar(pass, p.Names[j], body)
				}
			}
			return false
		default:
			return false
		}
	}
}

// keptVar reports whether the value assigned to lhs outlives the function:
// lhs is not a local variable, or the variable is returned, stored, put in
// a composite literal, or handed to a call.
func keptVar(pass *analysis.Pass, lhs ast.Expr, body *ast.BlockStmt) bool {
	id, ok := lhs.(*ast.Ident)
	if !ok {
		return true // a field, an element, a dereference: stored outside
	}
	obj := pass.TypesInfo.ObjectOf(id)
	v, ok := obj.(*types.Var)
	if !ok || v.Parent() == v.Pkg().Scope() || body == nil {
		return true // a package variable, or a copy of a copy: say kept
	}
	found := false
	var stack []ast.Node
	ast.Inspect(body, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return false
		}
		stack = append(stack, n)
		if use, ok := n.(*ast.Ident); ok && pass.TypesInfo.Uses[use] == obj && !found {
			found = kept(pass, use, stack, nil) && !isReassignment(stack)
		}
		return !found
	})
	return found
}

// isReassignment reports whether the identifier on top of stack is the
// left-hand side of an assignment.
func isReassignment(stack []ast.Node) bool {
	a, ok := parent(stack, 1).(*ast.AssignStmt)
	if !ok {
		return false
	}
	for _, l := range a.Lhs {
		if l == stack[len(stack)-1] {
			return true
		}
	}
	return false
}
