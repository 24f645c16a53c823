package transportidletimeout

import (
	"go/ast"

	"github.com/connleak/connleak/vet/internal/analysisutil"
)

// forTestServer reports whether the Transport on top of stack is made once
// for a test's own httptest.Server, which the test closes: its Close ends
// every idle connection to it (analysisutil.ForTestServer), so no finding.
// One made in a loop, or in a helper function of the test file, is judged
// as any other.
func (c *checker) forTestServer(stack []ast.Node) bool {
	return analysisutil.ForTestServer(c.pass, stack)
}
