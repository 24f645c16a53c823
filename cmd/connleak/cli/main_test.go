package cli

import (
	"os"
	"testing"

	"golang.org/x/tools/go/analysis/unitchecker"

	"github.com/connleak/connleak/connleaktest"
	"github.com/connleak/connleak/diagnose"
	"github.com/connleak/connleak/vet"
)

// TestMain lets the test binary stand in for connleak where go vet runs
// it as its -vettool, as `connleak vet` does (govet.go): the tests run the
// commands in this process, so os.Executable is this binary. Otherwise it
// runs the tests and fails the package if they leave an HTTP connection
// behind, not even an idle one in a shared pool: the commands serve and
// call servers in this process.
func TestMain(m *testing.M) {
	if isVetTool(os.Args[1:]) {
		unitchecker.Main(vet.Analyzers...) // exits
	}
	connleaktest.VerifyTestMain(m, noIdle)
}

// noIdle is the option of this package's checks: a test closes its pools,
// and a server it starts is stopped before the test ends, so no connection
// is left idle, even in a shared pool.
var noIdle = connleaktest.Allow(diagnose.IdleClientConnections, 0)
