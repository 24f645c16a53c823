package demo

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/connleak/connleak/connleaktest"
	"github.com/connleak/connleak/diagnose"
)

// TestMain fails the package if its tests leave a goroutine or an HTTP
// connection behind: goleak judges every goroutine but those of HTTP
// connections, and connleaktest those, allowing none, not even an idle one
// in a shared pool.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(connleaktest.Wrap(m, connleaktest.Allow(diagnose.IdleClientConnections, 0)), connleaktest.GoleakOptions()...)
}
