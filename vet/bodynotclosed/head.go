package bodynotclosed

import (
	"go/constant"

	"golang.org/x/tools/go/ssa"
)

// A reply to a HEAD request holds no connection: net/http gives it the
// body http.NoBody and puts its connection back in the pool before Do
// returns (Transport's readLoop: a HEAD reply has no body to wait for). So
// http.Head, Client.Head and Resty's Head are no sources (they are left
// out of httpSources and restyCalls), nor is a Do or a RoundTrip given a
// request whose method is the constant "HEAD" (http.MethodHead).

// sendsHead reports whether call is given a request made for HEAD: an
// *http.Request argument made by http.NewRequest or
// NewRequestWithContext with the constant method "HEAD", through any
// WithContext or Clone of it, on every branch that reaches the call.
func sendsHead(call *ssa.Call) bool {
	for _, a := range call.Common().Args {
		if isPointerTo(a.Type(), "Request") && madeForHead(a, map[ssa.Value]bool{}) {
			return true
		}
	}
	return false
}

// madeForHead reports whether the request v is made for HEAD, as
// sendsHead says.
func madeForHead(v ssa.Value, seen map[ssa.Value]bool) bool {
	if seen[v] {
		return true // a loop adds no other request
	}
	seen[v] = true
	switch v := v.(type) {
	case *ssa.Extract:
		return v.Index == 0 && madeForHead(v.Tuple, seen)
	case *ssa.Phi:
		for _, e := range v.Edges {
			if !madeForHead(e, seen) {
				return false
			}
		}
		return len(v.Edges) > 0
	case *ssa.Call:
		callee := v.Common().StaticCallee()
		if callee == nil || callee.Package() == nil || callee.Package().Pkg.Path() != "net/http" {
			return false
		}
		args := v.Common().Args
		switch httpName(callee.Signature, callee.Name()) {
		case "NewRequest":
			return len(args) > 0 && isHead(args[0])
		case "NewRequestWithContext":
			return len(args) > 1 && isHead(args[1])
		case "(*Request).WithContext", "(*Request).Clone":
			return len(args) > 0 && madeForHead(args[0], seen)
		}
	}
	return false
}

// isHead reports whether v is the constant "HEAD". net/http compares the
// method as it is spelt, so "head" is no HEAD.
func isHead(v ssa.Value) bool {
	k, ok := v.(*ssa.Const)
	return ok && k.Value != nil && k.Value.Kind() == constant.String && constant.StringVal(k.Value) == "HEAD"
}
