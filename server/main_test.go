package server

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if a test leaves a goroutine behind. The tests
// that leak connections on purpose release them in a cleanup (POST /reset's
// release, or closing the test server), so nothing is ignored here.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
