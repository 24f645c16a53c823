package vet

import (
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"
)

func TestTransportIdleTimeout(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), TransportIdleTimeout, "transport", "noimport")
}

// TestTimeName checks that a fix writes time.Second only where the name
// time means package time, or can be made to.
func TestTimeName(t *testing.T) {
	for _, tt := range []struct {
		analyzer *analysis.Analyzer
		pkgs     []string
	}{
		{TransportIdleTimeout, []string{"timeshadow", "timevar", "timerenamed", "timeblank"}},
		{ServerIdleTimeout, []string{"timetype"}},
	} {
		t.Run(tt.analyzer.Name, func(t *testing.T) {
			analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), tt.analyzer, tt.pkgs...)
		})
	}
}

func TestServerIdleTimeout(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), ServerIdleTimeout, "server")
}

func TestClientPerCall(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), ClientPerCall, "clientpercall")
}

func TestRawBodyNotClosed(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), RawBodyNotClosed, "rawbody")
}

func TestIgnore(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), TransportIdleTimeout, "ignored")
}
