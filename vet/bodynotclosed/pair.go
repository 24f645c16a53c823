package bodynotclosed

import (
	"go/token"
	"go/types"
	"strconv"

	"golang.org/x/tools/go/ssa"
)

// A pair is what a function does with a body given with the error that
// came with it, as a check of the module's takes them,
// `checkResponse(resp, err)`: Param-1 is the parameter given the body,
// the next one an error. Where the error is not nil there is no body, so
// a check that returns at once on an error leaves none; Keep is what it
// does with the body then (see keep), and Passes the results it returns
// it in open (a check that closes a bad reply's body and returns a good
// one's), PassesOnError those it may with an error. Its callers use it
// where they hand it the body and the error of one call.
type pair struct {
	Param, Keep, Passes, PassesOnError uint8
}

func (p pair) String() string {
	s := "pair " + strconv.Itoa(int(p.Param)-1) + " " + keepNames[p.Keep]
	if p.Passes != 0 {
		s += ", passes in " + bits(uint64(p.Passes))
	}
	if p.PassesOnError != 0 {
		s += ", passes on error " + bits(uint64(p.PassesOnError))
	}
	return s
}

var keepNames = [...]string{
	keepsNot: "not kept", keepsAlways: "kept", keepsOnSuccess: "kept on success",
	keepsOnError: "kept on error", keepsSome: "kept on some paths",
}

// pairOf is fn's pair, for its first parameter that may carry a body,
// that it keeps on some path (keeps), and that an error follows; or the
// pair of the check it delegates to (see delegatedPair).
func (s *state) pairOf(fn *ssa.Function, keeps uint64) pair {
	if p, ok := s.delegatedPair(fn); ok {
		return p
	}
	for i, p := range fn.Params {
		if i >= 8 || i+1 >= len(fn.Params) || keeps&(1<<i) == 0 || !mayCarry(p.Type()) || !isError(fn.Params[i+1].Type()) {
			continue
		}
		f := s.newFlow(fn)
		f.paramErr = fn.Params[i+1]
		f.add(p)
		f.run()
		f.keeps()
		var onErr, onSuccess uint64
		if f.left&leftOnError != 0 {
			onErr = 1
		}
		if f.left&leftOnSuccess != 0 {
			onSuccess = 1
		}
		return pair{Param: uint8(i + 1), Keep: uint8(keepOf(1, onErr, onSuccess, 0)), Passes: f.returns, PassesOnError: f.openOnError}
	}
	return pair{}
}

// pairOfCallee is callee's pair, from its summary or its fact.
func (s *state) pairOfCallee(callee *ssa.Function) pair {
	if o := callee.Origin(); o != nil {
		callee = o
	}
	if sum, ok := s.sums[callee]; ok {
		return sum.pair
	}
	obj, _ := callee.Object().(*types.Func)
	var fact ownsFact
	if obj != nil && obj.Pkg() != nil && obj.Pkg() != s.pass.Pkg && s.pass.ImportObjectFact(obj, &fact) {
		return fact.Pair
	}
	return pair{}
}

// keepsAt is what callee does with its argument i, of args: as its pair
// where args[i+1] is the error that came with the flow's body.
func (f *flow) keepsAt(callee *ssa.Function, args []ssa.Value, i int) keep {
	if p := f.s.pairOfCallee(callee); p.Param != 0 && int(p.Param) == i+1 && i+1 < len(args) && f.cameWith(args[i+1]) {
		return keep(p.Keep)
	}
	return f.s.keeps(callee, i)
}

// passedBack follows, in a parameter's flow, the body handed to callee as
// its argument i with the error that came with it, where callee's pair
// returns it in some results (a check that returns a good reply's body):
// those results of the call carry it on, and what the call does with it
// on its other paths is told by them (`return check(resp, err)` in a
// callback returns the body it is given). It reports whether it does so.
func (f *flow) passedBack(ins ssa.CallInstruction, callee *ssa.Function, args []ssa.Value, i int) bool {
	call, ok := ins.(*ssa.Call)
	if !ok || f.src.call != nil || f.paramErr == nil {
		return false
	}
	p := f.s.pairOfCallee(callee)
	if p.Passes == 0 || p.PassesOnError != 0 || int(p.Param) != i+1 || i+1 >= len(args) || !f.cameWith(args[i+1]) {
		return false
	}
	if _, ok := call.Type().(*types.Tuple); !ok {
		f.add(call)
		return true
	}
	for _, r := range *call.Referrers() {
		if e, ok := r.(*ssa.Extract); ok && e.Index < 8 && p.Passes&(1<<e.Index) != 0 {
			f.add(e)
		}
	}
	return true
}

// cameWith reports whether v is the error that came with the flow's body:
// its source's, where the source returns no body with an error, or the
// parameter taken as such.
func (f *flow) cameWith(v ssa.Value) bool {
	if f.paramErr != nil {
		return v == f.paramErr
	}
	if f.src.call == nil || f.src.openOnError {
		return false
	}
	call, j := resultOf(v)
	return call == f.src.call && errorOf(call) != nil && j == call.Type().(*types.Tuple).Len()-1
}

// passedOn reports whether call, of callee, is a source as a check that
// passes the body it is given on (see pair): it is given the body and the
// error of one call that is a source, and that returns no body with an
// error.
func (s *state) passedOn(call *ssa.Call, callee *ssa.Function) (source, bool) {
	p := s.pairOfCallee(callee)
	args := call.Common().Args
	if p.Passes == 0 || int(p.Param) >= len(args) {
		return source{}, false
	}
	body, i := resultOf(args[p.Param-1])
	errCall, j := resultOf(args[p.Param])
	if body == nil || body != errCall || errorOf(body) == nil || j != body.Type().(*types.Tuple).Len()-1 {
		return source{}, false
	}
	src, ok := s.source(body)
	if !ok || src.openOnError || src.results&(1<<i) == 0 {
		return source{}, false
	}
	rs := p.Passes
	if _, ok := call.Type().(*types.Tuple); !ok {
		rs = 0
	}
	return source{call: call, results: rs, openOnError: p.PassesOnError != 0, raw: isRestyResponse(resultType(call, rs)), wrapped: src.wrapped}, true
}

// resultOf is the call whose result v is, and its index: v is the result
// itself, or is loaded from a local variable stored nothing else.
func resultOf(v ssa.Value) (*ssa.Call, int) {
	load, ok := v.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return extracted(v)
	}
	box, ok := load.X.(*ssa.Alloc)
	if !ok {
		return nil, -1
	}
	var call *ssa.Call
	i := -1
	for _, r := range *box.Referrers() {
		st, ok := r.(*ssa.Store)
		if !ok || st.Addr != box {
			continue
		}
		c, j := extracted(st.Val)
		if c == nil || call != nil && (c != call || j != i) {
			return nil, -1
		}
		call, i = c, j
	}
	return call, i
}

// extracted is the call whose result v is, and its index.
func extracted(v ssa.Value) (*ssa.Call, int) {
	if e, ok := v.(*ssa.Extract); ok {
		if c, ok := e.Tuple.(*ssa.Call); ok {
			return c, e.Index
		}
	}
	return nil, -1
}

func isError(t types.Type) bool {
	return types.Identical(t, types.Universe.Lookup("error").Type())
}
