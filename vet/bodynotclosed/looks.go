package bodynotclosed

import (
	"slices"

	"golang.org/x/tools/go/ssa"
)

// A call of code the analyzer cannot see, an interface method or a func
// value, given the body may keep it, and is taken to (see handedUnseen).
// But where the function itself closes the body, or hands it on, after
// that call, on some path from it that does not reach the source again,
// the call only looked at it: a retrier asked whether to try again,
// `wait, ok := retrier.Retry(ctx, n, req, resp, err)`, then `defer
// resp.Body.Close()` where it says no. The function still owns the body
// on every path past such a call, and a retry that drops it leaks. A call
// of a func parameter is left to handsTo and shows, which tell its
// callers who owns the body; one whose result carries the body back (an
// error handler) is followed through that result.

// dropLooks takes the calls that only look at the body off the flow's
// events.
func (f *flow) dropLooks() {
	if f.src.call == nil {
		return
	}
	var looks []ssa.Instruction
	for ins := range f.unknown {
		call, ok := ins.(*ssa.Call)
		if !ok || f.handsBack(call) || calledParam(f.fn, call) >= 0 || !f.ownedPast(call) {
			continue
		}
		looks = append(looks, ins)
	}
	for _, ins := range looks {
		delete(f.events, ins)
		delete(f.unknown, ins)
	}
}

// calledParam is the index of the func parameter of fn that call calls,
// or -1 where it calls none.
func calledParam(fn *ssa.Function, call *ssa.Call) int {
	p, ok := call.Common().Value.(*ssa.Parameter)
	if !ok || call.Common().IsInvoke() {
		return -1
	}
	return slices.Index(fn.Params, p)
}

// ownedPast reports whether an event of the function's own, one that
// hands the body to no code unseen, may follow call before the source is
// called again.
func (f *flow) ownedPast(call *ssa.Call) bool {
	owned := false
	after(call, func(ins ssa.Instruction) bool {
		if ins == ssa.Instruction(f.src.call) {
			return false
		}
		owned = owned || f.events[ins] && !f.unknown[ins]
		return !owned
	})
	return owned
}
