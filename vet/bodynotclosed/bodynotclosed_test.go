package bodynotclosed_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/connleak/connleak/vet/bodynotclosed"
)

func Test(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), bodynotclosed.Analyzer, "resty")
}
