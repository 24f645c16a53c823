package collector_test

import (
	"fmt"
	"os"
	"strconv"
	"testing"

	"go.uber.org/goleak"

	"github.com/connleak/connleak/connleaktest"
	"github.com/connleak/connleak/diagnose"
)

// TestMain fails the package if its tests leave a goroutine or an HTTP
// connection behind, past the leaks they make on purpose and close. Run
// with socketHolders set, the test binary is BenchmarkScrapeSockets'
// holder of connections instead.
func TestMain(m *testing.M) {
	if v := os.Getenv(socketHolders); v != "" {
		n, err := strconv.Atoi(v)
		if err == nil {
			err = holder(n)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "hold connections:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	goleak.VerifyTestMain(connleaktest.Wrap(m, connleaktest.Allow(diagnose.IdleClientConnections, 0)), connleaktest.GoleakOptions()...)
}
