package transportidletimeout

import (
	_ "embed"
	"go/ast"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/connleak/connleak/vet/internal/analysisutil"
)

//go:embed doc.go
var doc string

// Analyzer is the transport-idle-timeout check; see the package doc.
var Analyzer = &analysis.Analyzer{
	Name:     "transportidletimeout",
	Doc:      analysisutil.MustExtractDoc(doc, "transportidletimeout"),
	URL:      analysisutil.DocBase + analysisutil.CheckTransportIdleTimeout,
	Requires: []*analysis.Analyzer{inspect.Analyzer, analysisutil.Directives},
	Run:      runTransportIdleTimeout,
}

func runTransportIdleTimeout(pass *analysis.Pass) (any, error) {
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	ins.Preorder([]ast.Node{(*ast.CompositeLit)(nil)}, func(n ast.Node) {
		lit := n.(*ast.CompositeLit)
		if !analysisutil.IsNamed(pass.TypesInfo.TypeOf(lit), "net/http", "Transport") || analysisutil.HasKey(lit, "IdleConnTimeout", "DisableKeepAlives") {
			return
		}
		analysisutil.Report(pass, analysisutil.CheckTransportIdleTimeout, lit.Pos(),
			analysisutil.AddField(pass, lit, "IdleConnTimeout", "90 * %s.Second", "Set IdleConnTimeout to 90s, as http.DefaultTransport does"),
			"http.Transport without IdleConnTimeout keeps every idle connection for ever: a readLoop and a writeLoop each in this program, a conn.serve in the server; set IdleConnTimeout (90 * time.Second), or clone http.DefaultTransport")
	})
	return nil, nil
}
