package transportidletimeout

import (
	"go/ast"
	"go/types"

	"github.com/connleak/connleak/vet/internal/analysisutil"
)

// http2Path is golang.org/x/net/http2's import path. Its Transport's
// IdleConnTimeout, zero, is no limit too; one that ConfigureTransports
// returns takes its HTTP/1 Transport's, and is not a literal.
const http2Path = "golang.org/x/net/http2"

// transportName is how a finding names the Transport type t, a pointer to
// it or not: http.Transport, or http2.Transport for x/net/http2's; "" for
// any other type.
func transportName(t types.Type) string {
	switch {
	case analysisutil.IsNamed(t, "net/http", "Transport"):
		return "http.Transport"
	case analysisutil.IsNamed(t, http2Path, "Transport"):
		return "http2.Transport"
	}
	return ""
}

// newTransport is the name of the Transport type call makes with new
// (transportName), or "" where it is no such new.
func newTransport(info *types.Info, call *ast.CallExpr) string {
	switch {
	case analysisutil.IsNew(info, call, "net/http", "Transport"):
		return "http.Transport"
	case analysisutil.IsNew(info, call, http2Path, "Transport"):
		return "http2.Transport"
	}
	return ""
}
