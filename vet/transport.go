package vet

import (
	"go/ast"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
)

// TransportIdleTimeout finds http.Transport literals with neither
// IdleConnTimeout nor DisableKeepAlives: a zero IdleConnTimeout keeps every
// idle connection, and its goroutines, for ever. A Transport cloned from
// http.DefaultTransport is not a literal, and keeps its 90s.
var TransportIdleTimeout = &analysis.Analyzer{
	Name:     "transportidletimeout",
	Doc:      "report http.Transport literals that keep idle connections for ever (transport-idle-timeout)",
	URL:      "https://pkg.go.dev/net/http#Transport.IdleConnTimeout",
	Requires: []*analysis.Analyzer{inspect.Analyzer, ignoreDirectives},
	Run:      runTransportIdleTimeout,
}

func runTransportIdleTimeout(pass *analysis.Pass) (any, error) {
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	ins.Preorder([]ast.Node{(*ast.CompositeLit)(nil)}, func(n ast.Node) {
		lit := n.(*ast.CompositeLit)
		if !isNamed(pass.TypesInfo.TypeOf(lit), "net/http", "Transport") || hasKey(lit, "IdleConnTimeout", "DisableKeepAlives") {
			return
		}
		report(pass, CheckTransportIdleTimeout, lit.Pos(),
			addField(pass, lit, "IdleConnTimeout", "90 * %s.Second", "Set IdleConnTimeout to 90s, as http.DefaultTransport does"),
			"http.Transport without IdleConnTimeout keeps every idle connection for ever: a readLoop and a writeLoop each in this program, a conn.serve in the server; set IdleConnTimeout (90 * time.Second), or clone http.DefaultTransport")
	})
	return nil, nil
}
