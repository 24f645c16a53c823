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
		if !ok || call.Common().IsInvoke() {
			continue
		}
		p, ok := call.Common().Value.(*ssa.Parameter)
		i := slices.Index(f.fn.Params, p)
		if !ok || i < 0 || i >= 64 || !f.handedOpen(call) || f.keptPast(call) {
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
// hands to a function literal it is given (see callback).
func (s *state) callbacks(fn *ssa.Function, sum *summary) {
	for _, b := range fn.Blocks {
		for _, ins := range b.Instrs {
			call, ok := ins.(*ssa.Call)
			if !ok {
				continue
			}
			args, hands := s.handsOf(call)
			for i, a := range args {
				if i >= 64 || hands&(1<<i) == 0 {
					continue
				}
				if conv, ok := a.(*ssa.ChangeType); ok {
					a = conv.X // a literal as a named func type
				}
				switch a := a.(type) {
				case *ssa.Parameter:
					if j := slices.Index(fn.Params, a); j >= 0 && j < 64 {
						sum.hands |= 1 << j
					}
				case *ssa.MakeClosure:
					s.callback(call, a.Fn)
				case *ssa.Function:
					s.callback(call, a)
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

// callback reports the body that call hands the function literal anon, as
// its one parameter that may carry one, where anon does not close or hand
// it on, on every path.
func (s *state) callback(call *ssa.Call, anon ssa.Value) {
	fn, ok := anon.(*ssa.Function)
	if !ok || fn.Parent() == nil || len(fn.Blocks) == 0 {
		return
	}
	var p *ssa.Parameter
	for _, q := range fn.Params {
		if mayCarry(q.Type()) {
			if p != nil {
				return
			}
			p = q
		}
	}
	if p == nil {
		return
	}
	f := s.newFlow(fn)
	f.add(p)
	f.run()
	l, ok := f.openPath(nil, fn.Blocks[0], 0, false)
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
