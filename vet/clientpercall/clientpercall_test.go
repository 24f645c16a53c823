package clientpercall_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/connleak/connleak/vet/clientpercall"
)

func Test(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), clientpercall.Analyzer, "clientpercall")
}
