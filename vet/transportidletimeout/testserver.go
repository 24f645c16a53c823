package transportidletimeout

import (
	"go/ast"
	"go/types"
	"strings"

	"github.com/connleak/connleak/vet/internal/analysisutil"
)

// An httptest.Server's Close closes every idle connection to it from the
// server's side, and the client's readLoop ends at that EOF: a Transport
// of a test that talks to the test's own httptest.Server, closed before
// the test ends, keeps nothing past it. So a Transport made in a function
// of a _test.go file whose declaration closes an httptest.Server
// (srv.Close(), deferred, or handed as srv.Close to t.Cleanup) is no
// finding. The check does not follow where the Transport's requests go:
// one test that also talks to another server keeps those connections.

// closesTestServer reports whether the Transport on top of stack is made
// in a test file, in a function declaration that closes an
// httptest.Server.
func (c *checker) closesTestServer(stack []ast.Node) bool {
	if len(stack) < 2 || !strings.HasSuffix(c.pass.Fset.File(stack[0].Pos()).Name(), "_test.go") {
		return false
	}
	decl, ok := stack[1].(*ast.FuncDecl)
	if !ok || decl.Body == nil {
		return false
	}
	found := false
	ast.Inspect(decl.Body, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if ok && !found && sel.Sel.Name == "Close" {
			p, isPtr := types.Unalias(c.pass.TypesInfo.TypeOf(sel.X)).(*types.Pointer)
			found = isPtr && analysisutil.IsNamed(p.Elem(), "net/http/httptest", "Server")
		}
		return !found
	})
	return found
}
