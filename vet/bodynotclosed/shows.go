package bodynotclosed

import (
	"go/types"
	"slices"

	"golang.org/x/tools/go/ssa"
)

// A function of the module may show the body it opens to a callback, a
// func parameter, and then return the response: requestWithRetries(req,
// handleResponse) calls handleResponse(resp, err), which reads and closes
// the body or hands it out as its result, and returns resp. Who owns the
// body then is told by what the callback does, which the function's
// callers alone see: where each func value a call gives it there closes,
// keeps or returns the body on some path, the body is the callbacks', and
// the call returns none open (and a literal among them is held to close it
// or hand it on on every path, as the one a body is handed to is; see
// callback); where one does not (a predicate on the status), the call
// returns the body open, as the function's results say.

// returnsPast notes in f.returns the results the body is returned in open
// past the events that hand it to code unseen, and in f.shows the func
// parameters it is shown to where it is returned open only past calls of
// them.
func (f *flow) returnsPast(src *ssa.Call, from int) {
	shown := f.shownTo()
	others := map[ssa.Instruction]bool{}
	for ins := range f.unknown {
		if _, ok := shown[ins]; !ok {
			others[ins] = true
		}
	}
	f.openPath(src, src.Block(), from, others)
	if len(shown) == 0 || f.returns != 0 {
		return
	}
	f.openPath(src, src.Block(), from, f.unknown)
	if f.returns != 0 {
		for _, i := range shown {
			f.shows |= 1 << i
		}
	}
}

// shownTo is the calls of the function's func parameters that the body is
// handed to unseen and that hand none of it back (no result of theirs
// carries it), each with the index of its parameter.
func (f *flow) shownTo() map[ssa.Instruction]int {
	shown := map[ssa.Instruction]int{}
	for ins := range f.unknown {
		call, ok := ins.(*ssa.Call)
		if !ok || f.handsBack(call) {
			continue
		}
		if i := calledParam(f.fn, call); i >= 0 && i < 64 {
			shown[ins] = i
		}
	}
	return shown
}

// handsBack reports whether a result of call carries the flow's body.
func (f *flow) handsBack(call *ssa.Call) bool {
	if f.carriers[call] {
		return true
	}
	for _, r := range *call.Referrers() {
		if e, ok := r.(*ssa.Extract); ok && f.carriers[e] {
			return true
		}
	}
	return false
}

// ownedByCallbacks is the arguments of call, a static call, that its
// callee shows the body it returns to, where each is a function that
// closes, keeps or returns the body on some path: then the body is
// theirs, and the call returns none open.
func (s *state) ownedByCallbacks(call *ssa.Call) (shows uint64, owned bool) {
	callee := call.Common().StaticCallee()
	if callee == nil {
		return 0, false
	}
	shows = s.showsOf(callee)
	args := call.Common().Args
	for i := range 64 {
		if shows&(1<<i) == 0 {
			continue
		}
		if i >= len(args) {
			return 0, false
		}
		fn, p := takesBody(args[i])
		if p == nil || s.keeps(fn, slices.Index(fn.Params, p)) == keepsNot {
			return 0, false
		}
	}
	return shows, shows != 0
}

// showsOf is callee's func parameters, the receiver first, that it shows
// the body it returns open to: from its summary or its fact.
func (s *state) showsOf(callee *ssa.Function) uint64 {
	if o := callee.Origin(); o != nil {
		callee = o
	}
	if sum, ok := s.sums[callee]; ok {
		return sum.shows
	}
	if obj, _ := callee.Object().(*types.Func); obj != nil && obj.Pkg() != nil && obj.Pkg() != s.pass.Pkg {
		var fact ownsFact
		if s.pass.ImportObjectFact(obj, &fact) {
			return fact.Shows
		}
	}
	return 0
}

// takesBody is the function v is, a function literal or a function of
// the package, converted or not, and its one parameter that may carry a
// body; p is nil where it is neither, or has none or more than one.
func takesBody(v ssa.Value) (fn *ssa.Function, p *ssa.Parameter) {
	if conv, ok := v.(*ssa.ChangeType); ok {
		v = conv.X // a literal as a named func type
	}
	switch v := v.(type) {
	case *ssa.MakeClosure:
		fn, _ = v.Fn.(*ssa.Function)
	case *ssa.Function:
		fn = v
	}
	if fn == nil {
		return nil, nil
	}
	for _, q := range fn.Params {
		if mayCarry(q.Type()) {
			if p != nil {
				return nil, nil
			}
			p = q
		}
	}
	return fn, p
}
