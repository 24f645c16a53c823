package vet

import "golang.org/x/tools/go/analysis"

// Analyzers are connleak's checks, one analyzer each.
var Analyzers = []*analysis.Analyzer{TransportIdleTimeout, ClientPerCall, ServerIdleTimeout, RawBodyNotClosed}
