package bodynotclosed

import (
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// A function of the package may call its func parameter and drop what it
// returns on some path: requestWithRetries(req, handleResponse) calls
// `result, err = handleResponse(resp, err)` in a loop and, where it
// retries a reply with no error, calls it again. Where the func value a
// caller gives it returns the body open in that result (a raw request's
// callback returns a good reply's body for its caller to read), the
// retried reply's body is dropped open, in the function, as the callers'
// callbacks make it. It is reported there, at the call of the parameter,
// once, where a call in the package gives it such a callback: a function
// literal, or a function of the package, whose pair returns the body it
// is given (see pair).

// A drop is a call of a func parameter whose results fn leaves open on
// some path.
type drop struct {
	param   int // the index of the parameter called
	results uint8
	f       *flow
	l       leak
}

// drops notes in sum the calls of fn's func parameters that return
// something that may carry a body, and that fn drops on some path, as it
// would a body a source returned.
func (s *state) drops(fn *ssa.Function, sum *summary) {
	for _, b := range fn.Blocks {
		for _, ins := range b.Instrs {
			call, ok := ins.(*ssa.Call)
			if !ok {
				continue
			}
			i := calledParam(fn, call)
			rs := carryingResults(call.Common().Signature())
			if i < 0 || rs == 0 {
				continue
			}
			f := s.newFlow(fn)
			f.src = source{call: call, results: rs, callback: true}
			for _, r := range f.src.roots() {
				f.add(r)
			}
			f.run()
			if l, ok := f.leak(); ok && len(f.src.roots()) > 0 {
				sum.drops = append(sum.drops, drop{param: i, results: rs, f: f, l: l})
			}
		}
	}
}

// carryingResults is the results of sig, of two or more, that may carry
// a body handed out by a callback: a response, a body, or an any.
func carryingResults(sig *types.Signature) uint8 {
	res := sig.Results()
	var rs uint8
	for i := range min(res.Len(), 8) {
		t := res.At(i).Type()
		if it, ok := t.Underlying().(*types.Interface); ok && it.Empty() || mayCarry(t) {
			rs |= 1 << i
		}
	}
	if res.Len() < 2 || !isError(res.At(res.Len()-1).Type()) {
		return 0
	}
	return rs
}

// handedBack reports the drops of the callees of fn's calls where fn gives
// one a callback that returns the body it is given in a result dropped.
func (s *state) handedBack(fn *ssa.Function) {
	for _, b := range fn.Blocks {
		for _, ins := range b.Instrs {
			call, ok := ins.(ssa.CallInstruction)
			if !ok {
				continue
			}
			callee := call.Common().StaticCallee()
			if callee == nil {
				continue
			}
			if o := callee.Origin(); o != nil {
				callee = o
			}
			sum, ok := s.sums[callee]
			if !ok {
				continue
			}
			for _, d := range sum.drops {
				args := call.Common().Args
				if d.param >= len(args) || s.reportedDrops[d.f.src.call] {
					continue
				}
				if cb, p := takesBody(args[d.param]); p != nil && s.pairOfCallee(cb).Passes&d.results != 0 {
					s.reportedDrops[d.f.src.call] = true
					s.report(d.f, d.l)
				}
			}
		}
	}
}
