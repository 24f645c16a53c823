package analysisutil

import (
	"go/ast"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// ClosesTestServer reports whether decl, a function of a _test.go file,
// closes an httptest.Server: srv.Close(), deferred, or handed as
// srv.Close to t.Cleanup, anywhere in its body, its func literals
// included. The server's Close ends every idle connection to it from its
// side, and a client's goroutines end at that EOF, so a pool a test makes
// to talk to its own httptest.Server keeps nothing past the test. Where
// the pool's requests go is not followed.
func ClosesTestServer(pass *analysis.Pass, decl *ast.FuncDecl) bool {
	if decl == nil || decl.Body == nil || !strings.HasSuffix(pass.Fset.File(decl.Pos()).Name(), "_test.go") {
		return false
	}
	found := false
	ast.Inspect(decl.Body, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if ok && !found && sel.Sel.Name == "Close" {
			p, isPtr := types.Unalias(pass.TypesInfo.TypeOf(sel.X)).(*types.Pointer)
			found = isPtr && IsNamed(p.Elem(), "net/http/httptest", "Server")
		}
		return !found
	})
	return found
}
