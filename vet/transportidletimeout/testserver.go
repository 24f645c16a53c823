package transportidletimeout

import (
	"go/ast"

	"github.com/connleak/connleak/vet/internal/analysisutil"
)

// closesTestServer reports whether the Transport on top of stack is made
// in a test function that closes an httptest.Server, whose Close ends
// every idle connection to it (analysisutil.ClosesTestServer): no finding.
// One made in a helper function of the test file is judged as any other.
func (c *checker) closesTestServer(stack []ast.Node) bool {
	if len(stack) < 2 {
		return false
	}
	decl, _ := stack[1].(*ast.FuncDecl)
	return analysisutil.ClosesTestServer(c.pass, decl)
}
