package serveridletimeout

import (
	_ "embed"
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/connleak/connleak/vet/internal/analysisutil"
)

//go:embed doc.go
var doc string

// Analyzer is the server-idle-timeout check; see the package doc.
var Analyzer = &analysis.Analyzer{
	Name:     "serveridletimeout",
	Doc:      analysisutil.MustExtractDoc(doc, "serveridletimeout"),
	URL:      analysisutil.DocBase + analysisutil.CheckServerIdleTimeout,
	Requires: []*analysis.Analyzer{inspect.Analyzer, analysisutil.Directives},
	Run:      runServerIdleTimeout,
}

// serveFuncs run an http.Server with no timeouts.
var serveFuncs = map[string]bool{"ListenAndServe": true, "ListenAndServeTLS": true, "Serve": true, "ServeTLS": true}

func runServerIdleTimeout(pass *analysis.Pass) (any, error) {
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	ins.Preorder([]ast.Node{(*ast.CompositeLit)(nil), (*ast.CallExpr)(nil)}, func(n ast.Node) {
		switch n := n.(type) {
		case *ast.CompositeLit:
			if !analysisutil.IsNamed(pass.TypesInfo.TypeOf(n), "net/http", "Server") || analysisutil.HasKey(n, "IdleTimeout", "ReadTimeout") {
				return
			}
			analysisutil.Report(pass, analysisutil.CheckServerIdleTimeout, n.Pos(),
				analysisutil.AddField(pass, n, "IdleTimeout", "2 * %s.Minute", "Set IdleTimeout to 2 minutes"),
				"http.Server without IdleTimeout keeps every kept-alive connection its clients leave open, a conn.serve goroutine each, for ever; set IdleTimeout (2 * time.Minute)")
		case *ast.CallExpr:
			fn, ok := analysisutil.Callee(pass, n).(*types.Func)
			if !ok || fn.Pkg() == nil || fn.Pkg().Path() != "net/http" || !serveFuncs[fn.Name()] || fn.Type().(*types.Signature).Recv() != nil {
				return
			}
			analysisutil.Report(pass, analysisutil.CheckServerIdleTimeout, n.Pos(), nil,
				"http.%s runs an http.Server with no timeouts: every kept-alive connection its clients leave open, a conn.serve goroutine each, is held for ever; use an http.Server with IdleTimeout (2 * time.Minute) and ReadHeaderTimeout", fn.Name())
		}
	})
	return nil, nil
}
