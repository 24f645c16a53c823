package vet

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
)

// ServerIdleTimeout finds http.Server literals with neither IdleTimeout nor
// ReadTimeout, and the package-level functions that run a Server with no
// timeouts at all: a kept-alive connection a client leaves open is then
// held for ever, a conn.serve goroutine and a socket.
var ServerIdleTimeout = &analysis.Analyzer{
	Name:     "serveridletimeout",
	Doc:      "report http.Servers that keep idle connections for ever (server-idle-timeout)",
	URL:      "https://pkg.go.dev/net/http#Server.IdleTimeout",
	Requires: []*analysis.Analyzer{inspect.Analyzer, ignoreDirectives},
	Run:      runServerIdleTimeout,
}

// serveFuncs run an http.Server with no timeouts.
var serveFuncs = map[string]bool{"ListenAndServe": true, "ListenAndServeTLS": true, "Serve": true, "ServeTLS": true}

func runServerIdleTimeout(pass *analysis.Pass) (any, error) {
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	ins.Preorder([]ast.Node{(*ast.CompositeLit)(nil), (*ast.CallExpr)(nil)}, func(n ast.Node) {
		switch n := n.(type) {
		case *ast.CompositeLit:
			if !isNamed(pass.TypesInfo.TypeOf(n), "net/http", "Server") || hasKey(n, "IdleTimeout", "ReadTimeout") {
				return
			}
			report(pass, CheckServerIdleTimeout, n.Pos(),
				addField(pass, n, "IdleTimeout", "2 * %s.Minute", "Set IdleTimeout to 2 minutes"),
				"http.Server without IdleTimeout keeps every kept-alive connection its clients leave open, a conn.serve goroutine each, for ever; set IdleTimeout (2 * time.Minute)")
		case *ast.CallExpr:
			fn, ok := typeutilCallee(pass, n).(*types.Func)
			if !ok || fn.Pkg() == nil || fn.Pkg().Path() != "net/http" || !serveFuncs[fn.Name()] || fn.Type().(*types.Signature).Recv() != nil {
				return
			}
			report(pass, CheckServerIdleTimeout, n.Pos(), nil,
				"http.%s runs an http.Server with no timeouts: every kept-alive connection its clients leave open, a conn.serve goroutine each, is held for ever; use an http.Server with IdleTimeout (2 * time.Minute) and ReadHeaderTimeout", fn.Name())
		}
	})
	return nil, nil
}
