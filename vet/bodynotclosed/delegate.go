package bodynotclosed

import (
	"slices"

	"golang.org/x/tools/go/ssa"
)

// delegatedPair is the pair of fn where fn is a check that hands the body
// and the error it is given, as they are, to another check, and returns
// that one's results as they are: `f := requireStatusIn(200); return f(d,
// resp, e)`, or `return check(resp, err)`. The other check is a function
// of the module called as it is, or a function literal that a function of
// the package returns (see madeFunc); fn does nothing else with the body,
// and its pair is the other's.
func (s *state) delegatedPair(fn *ssa.Function) (pair, bool) {
	call := tailCall(fn)
	if call == nil {
		return pair{}, false
	}
	callee := call.Call.StaticCallee()
	if callee == nil {
		callee = madeFunc(call.Call.Value, 2)
	}
	if callee == nil {
		return pair{}, false
	}
	p := s.pairOfCallee(callee)
	args := call.Call.Args
	if p.Param == 0 || int(p.Param) >= len(args) {
		return pair{}, false
	}
	body, ok := args[p.Param-1].(*ssa.Parameter)
	i := slices.Index(fn.Params, body)
	if !ok || i < 0 || i >= 8 || i+1 >= len(fn.Params) || args[p.Param] != fn.Params[i+1] || !onlyHandedTo(body, call) {
		return pair{}, false
	}
	return pair{Param: uint8(i + 1), Keep: p.Keep, Passes: p.Passes, PassesOnError: p.PassesOnError}, true
}

// tailCall is the call whose results fn returns, each in its place, at
// every one of its returns, or nil.
func tailCall(fn *ssa.Function) *ssa.Call {
	var call *ssa.Call
	for _, b := range fn.Blocks {
		r, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok {
			continue
		}
		for k, x := range r.Results {
			c, j := extracted(x)
			if len(r.Results) == 1 {
				c, _ = x.(*ssa.Call)
				j = 0
			}
			if c == nil || j != k || call != nil && c != call {
				return nil
			}
			call = c
		}
		if len(r.Results) == 0 {
			return nil
		}
	}
	return call
}

// onlyHandedTo reports whether all that is done with p is to hand it to
// call.
func onlyHandedTo(p *ssa.Parameter, call *ssa.Call) bool {
	for _, r := range *p.Referrers() {
		if _, ok := r.(*ssa.DebugRef); !ok && r != ssa.Instruction(call) {
			return false
		}
	}
	return true
}

// madeFunc is the function v calls where v is a function literal, as it
// is or converted to a named func type, or the result of a call of a
// function of the package whose every return is one, the same
// (`requireStatusIn(200)` returns a closure of its one literal); depth
// bounds the calls followed. It is nil where it is not so.
func madeFunc(v ssa.Value, depth int) *ssa.Function {
	if conv, ok := v.(*ssa.ChangeType); ok {
		v = conv.X
	}
	switch v := v.(type) {
	case *ssa.Function:
		return v
	case *ssa.MakeClosure:
		fn, _ := v.Fn.(*ssa.Function)
		return fn
	case *ssa.Call:
		maker := v.Call.StaticCallee()
		if depth == 0 || maker == nil || len(maker.Blocks) == 0 || maker.Signature.Results().Len() != 1 {
			return nil
		}
		var made *ssa.Function
		for _, b := range maker.Blocks {
			r, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
			if !ok {
				continue
			}
			fn := madeFunc(r.Results[0], depth-1)
			if fn == nil || made != nil && fn != made {
				return nil
			}
			made = fn
		}
		return made
	}
	return nil
}
