package cli

import (
	"os"
	"testing"

	"golang.org/x/tools/go/analysis/unitchecker"

	"github.com/connleak/connleak/vet"
)

// TestMain lets the test binary stand in for connleak where go vet runs
// it as its -vettool, as `connleak vet` does (govet.go): the tests run the
// commands in this process, so os.Executable is this binary.
func TestMain(m *testing.M) {
	if isVetTool(os.Args[1:]) {
		unitchecker.Main(vet.Analyzers...) // exits
	}
	os.Exit(m.Run())
}
