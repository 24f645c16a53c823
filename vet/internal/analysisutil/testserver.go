package analysisutil

import (
	"go/ast"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// ForTestServer reports whether the node at the end of path (the nodes
// around it, from its file down) is made once for a test's own server: in
// a function declaration of a _test.go file that closes an
// httptest.Server or an http.Server (srv.Close(), deferred, or handed as
// srv.Close to t.Cleanup, or an http.Server's Shutdown, anywhere in its
// body, its func literals included), and in no loop within it. The
// server's Close ends every idle connection to it from its side, and a
// client's goroutines end at that EOF, so one pool a test makes for its
// own server keeps nothing past the test. One made per iteration of a loop
// piles up while the test runs, as connleaktest sees it. Where the pool's
// requests go is not followed.
func ForTestServer(pass *analysis.Pass, path []ast.Node) bool {
	if len(path) < 3 || !strings.HasSuffix(pass.Fset.File(path[0].Pos()).Name(), "_test.go") {
		return false
	}
	decl, ok := path[1].(*ast.FuncDecl)
	if !ok || decl.Body == nil {
		return false
	}
	for i := 1; i+1 < len(path); i++ {
		if Repeats(path[i], path[i+1]) {
			return false
		}
	}
	found := false
	ast.Inspect(decl.Body, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok || found {
			return !found
		}
		t := types.Unalias(pass.TypesInfo.TypeOf(sel.X))
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem() // srv.Close() on a variable of either, a value or a pointer
		}
		switch {
		case IsNamed(t, "net/http/httptest", "Server"):
			found = sel.Sel.Name == "Close"
		case IsNamed(t, "net/http", "Server"):
			found = sel.Sel.Name == "Close" || sel.Sel.Name == "Shutdown"
		}
		return !found
	})
	return found
}
