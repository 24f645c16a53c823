package bodynotclosed_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/connleak/connleak/vet/bodynotclosed"
)

// TestDecodedFacts checks the facts of wrappers across packages: decoder
// replaces bodies with decoders of them and returns one, and decodercaller,
// told so, takes no read of one to its end for a close.
func TestDecodedFacts(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), bodynotclosed.Analyzer, "decoder", "decodercaller")
}
