package vet

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"
)

func TestTransportIdleTimeout(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), TransportIdleTimeout, "transport", "noimport")
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
