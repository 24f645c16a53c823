package collector_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/connleak/connleak/connleaktest"
	"github.com/connleak/connleak/diagnose"
)

// TestMain fails the package if its tests leave a goroutine or an HTTP
// connection behind, past the leaks they make on purpose and close.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(connleaktest.Wrap(m, connleaktest.Allow(diagnose.IdleClientConnections, 0)), connleaktest.GoleakOptions()...)
}
