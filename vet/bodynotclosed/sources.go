package bodynotclosed

import (
	"go/constant"
	"go/types"
	"strings"

	"golang.org/x/tools/go/ssa"

	"github.com/connleak/connleak/vet/internal/analysisutil"
)

// A source is a call that hands its caller an open body to close.
type source struct {
	call    *ssa.Call
	results uint8 // the results that carry it; 0 for a call of one result
	raw     bool  // a Resty response with its raw body
	// openOnError is set where the call may return the body open with an
	// error that is not nil: then the branch on which its error is not nil
	// is walked too, as one that may hold the body (walk's onErr).
	// net/http's calls, any RoundTripper's (as its contract asks) and
	// Resty's return none with an error.
	openOnError bool
	// wrapped is set where the body may be a wrapper of the response's
	// own (see decoded.go).
	wrapped bool
	// callback is set for a call of a func parameter that a callback
	// given to the function hands the body back from (see handback.go).
	callback bool
}

// roots are the values of the call that carry the body.
func (src source) roots() []ssa.Value {
	if src.results == 0 {
		return []ssa.Value{src.call}
	}
	var vs []ssa.Value
	for _, r := range *src.call.Referrers() {
		if e, ok := r.(*ssa.Extract); ok && e.Tuple == src.call && e.Index < 8 && src.results&(1<<e.Index) != 0 {
			vs = append(vs, e)
		}
	}
	return vs
}

// The calls of net/http that return a response whose body is the caller's.
var httpSources = map[string]bool{
	"Get": true, "Post": true, "PostForm": true, // package-level; Head is no source (head.go)
	"(*Client).Do": true, "(*Client).Get": true, "(*Client).Post": true, "(*Client).PostForm": true,
	"(*Transport).RoundTrip": true,
}

// The methods of a Resty Request that make it; Head is no source (head.go).
var restyCalls = map[string]bool{
	"Get": true, "Post": true, "Put": true, "Patch": true, "Delete": true, "Options": true, "Execute": true, "Send": true,
}

// source reports whether call is a source, and which.
func (s *state) source(call *ssa.Call) (source, bool) {
	c := call.Common()
	if isRoundTrip(c.Signature()) && sendsHead(call) {
		return source{}, false
	}
	if c.IsInvoke() {
		// Any RoundTripper's RoundTrip.
		if c.Method.Name() == "RoundTrip" && isHTTPResponse(c.Signature().Results()) {
			return source{call: call, results: 1}, true
		}
		return s.interfaceSource(call)
	}
	callee := c.StaticCallee()
	if callee == nil {
		// A func value of RoundTrip's shape: a handler, a middleware's
		// next, a method value of Client.Do.
		if isRoundTrip(c.Signature()) {
			return source{call: call, results: 1}, true
		}
		return source{}, false
	}
	if callee.Synthetic != "" && strings.HasSuffix(callee.Name(), "$bound") && isRoundTrip(c.Signature()) {
		return source{call: call, results: 1}, true // a method value, as a func value
	}
	if p := callee.Package(); p != nil && p.Pkg.Path() == "net/http" && httpSources[httpName(callee.Signature, callee.Name())] {
		return source{call: call, results: 1}, true
	}
	if p := callee.Package(); p != nil && analysisutil.RestyPaths[p.Pkg.Path()] && restyCalls[callee.Name()] &&
		isRestyNamed(recvType(callee.Signature), "Request") && len(c.Args) > 0 && s.rawRequest(c.Args[0]) {
		return source{call: call, results: 1, raw: true}, true
	}
	if p := callee.Package(); p != nil && analysisutil.RestyPaths[p.Pkg.Path()] && (p.Pkg != s.pass.Pkg || callee.Object() != nil && callee.Object().Exported()) {
		// Resty's API opens a raw body where the rule above says, in
		// Resty's own tests too: its facts see every path of it,
		// SetDoNotParseResponse's among them.
		return source{}, false
	}
	if rs, onErr := s.returnsOf(callee); rs != 0 {
		if _, owned := s.ownedByCallbacks(call); owned {
			return source{}, false // the body is its callbacks' (shows.go)
		}
		_, _, wrapped := s.decodedOf(callee)
		src := source{call: call, results: rs, openOnError: onErr != 0, wrapped: wrapped&rs != 0}
		if _, ok := call.Type().(*types.Tuple); !ok {
			src.results = 0
		}
		src.raw = isRestyResponse(resultType(call, src.results))
		return src, true
	}
	return s.passedOn(call, callee)
}

// httpName is the name of the function name of signature sig, of
// net/http, as httpSources spells it.
func httpName(sig *types.Signature, name string) string {
	recv := recvType(sig)
	if recv == nil {
		return name
	}
	if p, ok := recv.(*types.Pointer); ok {
		if n, ok := p.Elem().(*types.Named); ok {
			return "(*" + n.Obj().Name() + ")." + name
		}
	}
	return ""
}

// isRoundTrip reports whether sig is func(*http.Request) (*http.Response,
// error), the shape of RoundTrip and of Client.Do.
func isRoundTrip(sig *types.Signature) bool {
	ps, res := sig.Params(), sig.Results()
	return ps.Len() == 1 && !sig.Variadic() && isPointerTo(ps.At(0).Type(), "Request") &&
		res.Len() == 2 && isPointerTo(res.At(0).Type(), "Response") &&
		types.Identical(res.At(1).Type(), types.Universe.Lookup("error").Type())
}

func isPointerTo(t types.Type, name string) bool {
	p, ok := types.Unalias(t).(*types.Pointer)
	return ok && analysisutil.IsNamed(p.Elem(), "net/http", name)
}

func isHTTPResponse(res *types.Tuple) bool {
	return res.Len() == 2 && analysisutil.IsNamed(res.At(0).Type(), "net/http", "Response")
}

func resultType(call *ssa.Call, rs uint8) types.Type {
	tup, ok := call.Type().(*types.Tuple)
	if !ok {
		return call.Type()
	}
	for i := range tup.Len() {
		if rs&(1<<i) != 0 {
			return tup.At(i).Type()
		}
	}
	return nil
}

func isRestyNamed(t types.Type, name string) bool {
	if t == nil {
		return false
	}
	for path := range analysisutil.RestyPaths {
		if analysisutil.IsNamed(t, path, name) {
			return true
		}
	}
	return false
}

func isRestyResponse(t types.Type) bool { return isRestyNamed(t, "Response") }

// restyMethod is the Resty method call v is, on a Client or a Request,
// with its name, if it is one.
func restyMethod(v ssa.Value) (*ssa.CallCommon, string, bool) {
	call, ok := v.(*ssa.Call)
	if !ok {
		return nil, "", false
	}
	callee := call.Common().StaticCallee()
	if callee == nil || callee.Package() == nil || !analysisutil.RestyPaths[callee.Package().Pkg.Path()] || len(call.Common().Args) == 0 {
		return nil, "", false
	}
	return call.Common(), callee.Name(), true
}

// setsRaw reports whether c is SetDoNotParseResponse with a constant, and
// which.
func setsRaw(c *ssa.CallCommon, name string) (set, raw bool) {
	if name != "SetDoNotParseResponse" || len(c.Args) != 2 {
		return false, false
	}
	k, ok := c.Args[1].(*ssa.Const)
	if !ok || k.Value == nil || k.Value.Kind() != constant.Bool {
		return false, false
	}
	return true, constant.BoolVal(k.Value)
}

// rawRequest reports whether the Resty request v is made with
// SetDoNotParseResponse(true): on it, on the chain of calls that made it,
// or on the client it came from.
func (s *state) rawRequest(v ssa.Value) bool {
	for range 64 {
		if set, raw := s.setOn(v); set {
			return raw
		}
		c, name, ok := restyMethod(v)
		if !ok {
			return false
		}
		if set, raw := setsRaw(c, name); set {
			return raw
		}
		if name == "R" || name == "NewRequest" {
			return s.rawClient(c.Args[0])
		}
		if !isRestyNamed(c.Args[0].Type(), "Request") {
			return false
		}
		v = c.Args[0]
	}
	return false
}

// setOn reports whether SetDoNotParseResponse is called on the value v
// itself (`req.SetDoNotParseResponse(true)` on a line of its own), and
// with what.
func (s *state) setOn(v ssa.Value) (set, raw bool) {
	for _, r := range *v.Referrers() {
		if call, ok := r.(*ssa.Call); ok && len(call.Common().Args) > 0 && call.Common().Args[0] == v {
			if c, name, ok := restyMethod(call); ok {
				if set, raw := setsRaw(c, name); set {
					return set, raw
				}
			}
		}
	}
	return false, false
}

// rawClient reports whether the Resty client v is set
// SetDoNotParseResponse(true): on the chain of calls that made it, on the
// value itself, or on the global or field it is loaded from anywhere in
// the package.
func (s *state) rawClient(v ssa.Value) bool {
	for range 64 {
		if set, raw := s.setOn(v); set {
			return raw
		}
		if key := clientKey(v); key != nil && s.rawClients[key] {
			return true
		}
		c, name, ok := restyMethod(v)
		if !ok || !isRestyNamed(c.Args[0].Type(), "Client") {
			return false
		}
		if set, raw := setsRaw(c, name); set {
			return raw
		}
		v = c.Args[0]
	}
	return false
}

// clientKey is where the client v is loaded from: a global, or a field.
func clientKey(v ssa.Value) any {
	load, ok := v.(*ssa.UnOp)
	if !ok {
		return nil
	}
	switch addr := load.X.(type) {
	case *ssa.Global:
		return addr
	case *ssa.FieldAddr:
		if f := fieldOf(addr); f != nil {
			return f
		}
	}
	return nil
}

// fieldOf is the field fa takes the address of, or nil (a struct of a
// type parameter's).
func fieldOf(fa *ssa.FieldAddr) *types.Var {
	p, ok := fa.X.Type().Underlying().(*types.Pointer)
	if !ok {
		return nil
	}
	st, ok := p.Elem().Underlying().(*types.Struct)
	if !ok || fa.Field >= st.NumFields() {
		return nil
	}
	return st.Field(fa.Field)
}

// findRawClients records the globals and fields that hold a Resty client
// set SetDoNotParseResponse(true) anywhere in the package: set on it as
// loaded, or on the chain stored into it.
func (s *state) findRawClients(funcs []*ssa.Function) {
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, ins := range b.Instrs {
				switch ins := ins.(type) {
				case *ssa.Call:
					c, name, ok := restyMethod(ins)
					if set, raw := setsRaw(c, name); ok && set && raw && isRestyNamed(c.Args[0].Type(), "Client") {
						if key := clientKey(c.Args[0]); key != nil {
							s.rawClients[key] = true
						}
					}
				case *ssa.Store:
					if !isRestyNamed(ins.Val.Type(), "Client") || !chainSetsRaw(ins.Val) {
						continue
					}
					switch addr := ins.Addr.(type) {
					case *ssa.Global:
						s.rawClients[addr] = true
					case *ssa.FieldAddr:
						if f := fieldOf(addr); f != nil {
							s.rawClients[f] = true
						}
					}
				}
			}
		}
	}
}

// chainSetsRaw reports whether the chain of Client calls that makes v sets
// SetDoNotParseResponse(true).
func chainSetsRaw(v ssa.Value) bool {
	for range 64 {
		c, name, ok := restyMethod(v)
		if !ok {
			return false
		}
		if set, raw := setsRaw(c, name); set {
			return raw
		}
		v = c.Args[0]
	}
	return false
}
