package vet

import (
	"slices"

	"golang.org/x/tools/go/analysis"

	"github.com/connleak/connleak/vet/bodynotclosed"
	"github.com/connleak/connleak/vet/clientpercall"
	"github.com/connleak/connleak/vet/internal/analysisutil"
	"github.com/connleak/connleak/vet/serveridletimeout"
	"github.com/connleak/connleak/vet/transportidletimeout"
)

// The checks: the patterns vet flags in code, each the category of its
// findings and the name a //connleak:ignore directive gives. The ids are
// stable, for programs that read the JSON and for the links into
// docs/checks.md.
const (
	CheckTransportIdleTimeout = analysisutil.CheckTransportIdleTimeout // an http.Transport that keeps idle connections for ever
	CheckClientPerCall        = analysisutil.CheckClientPerCall        // a client or Transport made per call
	CheckServerIdleTimeout    = analysisutil.CheckServerIdleTimeout    // an http.Server that keeps idle connections for ever
	CheckBodyNotClosed        = analysisutil.CheckBodyNotClosed        // a response body not closed on every path
)

// CheckRawBodyNotClosed is body-not-closed's old id, from when it checked
// only Resty's raw bodies. It is no check of its own: a //connleak:ignore
// directive that names it silences body-not-closed.
const CheckRawBodyNotClosed = analysisutil.CheckRawBodyNotClosed

// DocBase is where each check is documented: DocBase + id.
const DocBase = analysisutil.DocBase

// CheckInfo is one check of the registry: its id, what it finds, where it
// is documented, and the analyzer that runs it.
type CheckInfo struct {
	ID       string
	Doc      string // what it finds, in one sentence
	URL      string // the link to its section of docs/checks.md
	Analyzer *analysis.Analyzer
}

// checks is the registry, in the order of Analyzers.
var checks = []CheckInfo{
	{CheckTransportIdleTimeout, "An http.Transport literal (or x/net/http2's) with neither IdleConnTimeout nor DisableKeepAlives: it keeps every idle connection for ever.", DocBase + CheckTransportIdleTimeout, transportidletimeout.Analyzer},
	{CheckClientPerCall, "A Transport, a Client with its own Transport, or a Resty or go-retryablehttp client made per call: a connection pool nothing shares.", DocBase + CheckClientPerCall, clientpercall.Analyzer},
	{CheckServerIdleTimeout, "An http.Server literal with neither IdleTimeout nor ReadTimeout, or http.ListenAndServe and the like: kept-alive connections held for ever.", DocBase + CheckServerIdleTimeout, serveridletimeout.Analyzer},
	{CheckBodyNotClosed, "A response body, net/http's or a Resty raw body, not closed on every path of the function that owns it: its connection stays held.", DocBase + CheckBodyNotClosed, bodynotclosed.Analyzer},
}

// Analyzers are connleak's checks, one analyzer each, for a driver such as
// unitchecker or multichecker.
var Analyzers = []*analysis.Analyzer{transportidletimeout.Analyzer, clientpercall.Analyzer, serveridletimeout.Analyzer, bodynotclosed.Analyzer}

// Checks returns the registry of checks, in the order of Analyzers. The
// slice is the caller's.
func Checks() []CheckInfo { return slices.Clone(checks) }

// Info returns the registry's entry for the check id.
func Info(id string) (CheckInfo, bool) {
	i := slices.IndexFunc(checks, func(c CheckInfo) bool { return c.ID == id })
	if i < 0 {
		return CheckInfo{}, false
	}
	return checks[i], true
}
