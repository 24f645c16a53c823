package diagnose_test

import (
	"testing"

	"github.com/connleak/connleak/connleaktest"
	"github.com/connleak/connleak/diagnose"
)

// TestMain fails the package if its tests leave an HTTP connection behind,
// not even an idle one in a shared pool. The tests that leak connections on
// purpose, so that this process's own dump shows them, close them when they
// end. It lives in the external test package: connleaktest imports diagnose.
func TestMain(m *testing.M) {
	connleaktest.VerifyTestMain(m, connleaktest.Allow(diagnose.IdleClientConnections, 0))
}
