package rawbodynotclosed_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/connleak/connleak/vet/rawbodynotclosed"
)

func Test(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), rawbodynotclosed.Analyzer, "rawbody")
}
