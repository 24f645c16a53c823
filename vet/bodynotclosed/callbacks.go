package bodynotclosed

import (
	"go/types"
	"slices"

	"golang.org/x/tools/go/ssa"

	"github.com/connleak/connleak/vet/internal/analysisutil"
)

// handsTo is the parameters of the flow's function, funcs, that it hands
// its body to and leaves it to (DoHTTPRequest(req, onResponse) calls
// onResponse(resp) and returns): a call of the parameter is given the body
// while it is open, on some path from the source (a close deferred before
// it is on the way), and nothing closes, keeps or returns it past that
// call (a close deferred after it neither).
func (f *flow) handsTo() (hands uint64) {
	if f.src.call == nil {
		return 0
	}
	for ins := range f.unknown {
		call, ok := ins.(*ssa.Call)
		if !ok {
			continue
		}
		i := calledParam(f.fn, call)
		if i < 0 || i >= 64 || !f.handedOpen(call) || f.keptPast(call) {
			continue
		}
		hands |= 1 << i
	}
	return hands
}

// handedOpen reports whether a path from the flow's source reaches the
// call cb with no event on the way.
func (f *flow) handedOpen(cb *ssa.Call) bool {
	found := false
	after(f.src.call, func(ins ssa.Instruction) bool {
		found = found || ins == ssa.Instruction(cb)
		return !found && !f.events[ins]
	})
	return found
}

// keptPast reports whether an event, or a call that keeps the body on some
// paths, may follow the call cb.
func (f *flow) keptPast(cb *ssa.Call) bool {
	kept := false
	after(cb, func(ins ssa.Instruction) bool {
		kept = kept || f.events[ins] || f.partial[ins]
		return !kept
	})
	return kept
}

// after calls visit on the instructions that may follow at, along each
// path, each block once but at's own, which is visited again from its
// start where a loop comes back to it; a path stops where visit returns
// false.
func after(at ssa.Instruction, visit func(ssa.Instruction) bool) {
	type item struct {
		b    *ssa.BasicBlock
		from int
	}
	b := at.Block()
	work := []item{{b, slices.Index(b.Instrs, at) + 1}}
	seen := map[*ssa.BasicBlock]bool{}
	for len(work) > 0 {
		it := work[len(work)-1]
		work = work[:len(work)-1]
		goOn := true
		for _, ins := range it.b.Instrs[it.from:] {
			if goOn = visit(ins); !goOn {
				break
			}
		}
		for _, succ := range it.b.Succs {
			if goOn && !seen[succ] {
				seen[succ] = true
				work = append(work, item{succ, 0})
			}
		}
	}
}

// callbacks notes in sum the parameters of fn that it hands on to a call
// that hands an open body to them, and follows the body that a call of fn
// hands to a function literal it is given, or shows to one that owns it
// (see callback, ownedByCallbacks).
func (s *state) callbacks(fn *ssa.Function, sum *summary) {
	for _, b := range fn.Blocks {
		for _, ins := range b.Instrs {
			call, ok := ins.(*ssa.Call)
			if !ok {
				continue
			}
			args, hands := s.handsOf(call)
			if shows, ok := s.ownedByCallbacks(call); ok {
				hands |= shows
			}
			for i, a := range args {
				if i >= 64 || hands&(1<<i) == 0 {
					continue
				}
				if p, ok := a.(*ssa.Parameter); ok {
					if j := slices.Index(fn.Params, p); j >= 0 && j < 64 {
						sum.hands |= 1 << j
					}
				} else if anon, p := takesBody(a); p != nil {
					s.callback(call, anon, p)
				}
			}
		}
	}
}

// handsOf is the arguments of call, the receiver first, and those that
// its callee hands an open body to: a function of the module (a fact
// across packages), or an interface method whose every implementation the
// package can see does.
func (s *state) handsOf(call *ssa.Call) ([]ssa.Value, uint64) {
	c := call.Common()
	if c.IsInvoke() {
		k := implsKey{c.Value.Type(), c.Method.Name(), isTestFile(s.pass.Fset.Position(call.Pos()).Filename)}
		return append([]ssa.Value{c.Value}, c.Args...), s.implsOf(k, c.Method).hands
	}
	callee := c.StaticCallee()
	if callee == nil {
		return nil, 0
	}
	if o := callee.Origin(); o != nil {
		callee = o
	}
	if sum, ok := s.sums[callee]; ok {
		return c.Args, sum.hands
	}
	obj, _ := callee.Object().(*types.Func)
	if obj == nil || obj.Pkg() == s.pass.Pkg {
		return nil, 0
	}
	fact, _ := s.factOf(obj)
	return c.Args, fact.Hands
}

// callback reports the body that call hands the function literal fn, as
// its one parameter p that may carry one, where fn does not close or hand
// it on, on every path. The error its parameter after p, where there is
// one, is taken as the one that came with the body, as a check's is (see
// pair): where it is not nil there is no body.
func (s *state) callback(call *ssa.Call, fn *ssa.Function, p *ssa.Parameter) {
	if fn.Parent() == nil || len(fn.Blocks) == 0 {
		return
	}
	f := s.newFlow(fn)
	if i := slices.Index(fn.Params, p); i+1 < len(fn.Params) && isError(fn.Params[i+1].Type()) {
		f.paramErr = fn.Params[i+1]
	}
	f.add(p)
	f.run()
	l, ok := f.openPath(nil, fn.Blocks[0], 0, nil)
	_, expr := callExpr(s.pass, call)
	if !ok || expr == nil {
		return
	}
	what := "response body handed to the func literal"
	switch {
	case len(f.events) == 0 && len(f.partial) == 0:
		analysisutil.Report(s.pass, analysisutil.CheckBodyNotClosed, expr.Pos(), nil, "%s never closed", what)
	case l.at.IsValid():
		analysisutil.Report(s.pass, analysisutil.CheckBodyNotClosed, expr.Pos(), nil,
			"%s not closed on every path: open at the return on line %d", what, s.pass.Fset.Position(l.at).Line)
	default:
		analysisutil.Report(s.pass, analysisutil.CheckBodyNotClosed, expr.Pos(), nil,
			"%s not closed on every path: open at the end of the function", what)
	}
}
