package bodynotclosed

import (
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/connleak/connleak/vet/internal/analysisutil"
)

// A keep is what a function does with a body it is given, as its caller
// sees it.
type keep uint8

const (
	// keepsNot: it neither closes nor keeps it; the caller still owns it.
	keepsNot keep = iota
	// keepsAlways: it closes it, keeps it or reads it to its end on every
	// path: the caller is done with it.
	keepsAlways
	// keepsOnSuccess: on every path on which it returns a nil error, and
	// not on some on which it returns another (a debug dump that returns
	// its error before it closes): the caller still owns it where the
	// call fails.
	keepsOnSuccess
	// keepsOnError: on every path on which it returns an error, and not
	// on some on which it returns nil (a check that closes an error
	// reply's body): the caller still owns it where the call succeeds.
	keepsOnError
	// keepsSome: on some paths, and not on others its error does not tell
	// apart (a constructor that keeps a 200 reply and only reads a 202):
	// the caller still owns it, as far as it can tell.
	keepsSome
)

// The returns a parameter's flow reaches with what it holds still open
// (see openPath): with an error, or with none.
const (
	leftOnError = 1 << iota
	leftOnSuccess
)

// keepOf is what a function does with its parameter i, from its bits as
// ownsFact has them.
func keepOf(keeps, onError, onSuccess uint64, i int) keep {
	if i >= 64 || keeps&(1<<i) == 0 {
		return keepsNot
	}
	switch e, s := onError&(1<<i) != 0, onSuccess&(1<<i) != 0; {
	case e && s:
		return keepsSome
	case e:
		return keepsOnSuccess
	case s:
		return keepsOnError
	}
	return keepsAlways
}

// keeps reports whether the function of f, a flow of what a parameter or a
// free variable holds, closes, keeps or reads it to its end on some path;
// f.left then tells the returns it reaches without doing so.
func (f *flow) keeps() bool {
	if len(f.events) == 0 || len(f.fn.Blocks) == 0 {
		return false
	}
	f.openPath(nil, f.fn.Blocks[0], 0, nil)
	return true
}

// holdsOnly reports whether every event of f, a parameter's flow, hands
// what it holds back to the function's caller: a return of it, or a store
// of it in a struct the function makes and returns (`return
// &idleReader{rc: rc}`).
func (f *flow) holdsOnly() bool {
	for ins := range f.events {
		switch ins := ins.(type) {
		case *ssa.Return:
		case *ssa.Store:
			fa, ok := ins.Addr.(*ssa.FieldAddr)
			if !ok {
				return false
			}
			if a, ok := fa.X.(*ssa.Alloc); !ok || !returnedAs(a) {
				return false
			}
		default:
			return false
		}
	}
	return len(f.events) > 0
}

// returnedAs reports whether v is returned, as it is or converted.
func returnedAs(v ssa.Value) bool {
	for _, r := range *v.Referrers() {
		switch r := r.(type) {
		case *ssa.Return:
			return true
		case *ssa.MakeInterface:
			if returnedAs(r) {
				return true
			}
		case *ssa.ChangeType:
			if returnedAs(r) {
				return true
			}
		}
	}
	return false
}

// wraps reports whether callee only ever hands back its argument i, held
// in what it returns (see holdsOnly).
func (s *state) wraps(callee *ssa.Function, i int) bool {
	if o := callee.Origin(); o != nil {
		callee = o
	}
	if i >= 64 {
		return false
	}
	if sum, ok := s.sums[callee]; ok {
		return sum.wraps&(1<<i) != 0
	}
	obj, _ := callee.Object().(*types.Func)
	var fact ownsFact
	return obj != nil && obj.Pkg() != nil && obj.Pkg() != s.pass.Pkg && s.pass.ImportObjectFact(obj, &fact) && fact.Wraps&(1<<i) != 0
}

// keeps is what callee does with its argument i.
func (s *state) keeps(callee *ssa.Function, i int) keep {
	if o := callee.Origin(); o != nil {
		callee = o
	}
	sig := callee.Signature
	if callee.Name() == "Close" && sig.Recv() != nil && i == 0 {
		return keepsAlways
	}
	if sum, ok := s.sums[callee]; ok {
		return keepOf(sum.keeps, sum.leavesOnError, sum.leavesOnSuccess, i)
	}
	obj, _ := callee.Object().(*types.Func)
	if obj == nil || obj.Pkg() == nil {
		return keepsNot
	}
	if obj.Pkg() == s.pass.Pkg { // not yet summarized: a cycle
		return keepsNot
	}
	if analysisutil.IsNamed(recvType(sig), "net/http", "Response") && obj.Name() == "Write" {
		return keepsAlways // Response.Write closes the body it sends
	}
	var fact ownsFact
	if s.pass.ImportObjectFact(obj, &fact) {
		return keepOf(fact.Keeps, fact.LeavesOnError, fact.LeavesOnSuccess, i)
	}
	var analyzed analyzedFact
	if s.pass.ImportPackageFact(obj.Pkg(), &analyzed) {
		return keepsNot
	}
	// From export data: what it does is unknown. A parameter that can be
	// closed may be closed or kept; one that can only be read is read.
	t := paramType(sig, i)
	if t == nil || closable(t) ||
		!isStd(obj.Pkg().Path()) && (analysisutil.IsNamed(t, "net/http", "Response") || isRestyResponse(t)) {
		return keepsAlways
	}
	return keepsNot
}

// A gate is a call that keeps the body on some paths, told apart by its
// error (keepsOnSuccess, keepsOnError): past it, the body is still the
// flow's on the branches its error says, and no longer on the others.
type gate struct {
	c             *conds // of the call's error
	oursOnFailure bool   // the flow's where the call fails; else where it succeeds
}

// gateOf is the gate of the call ins that keeps the body as k; one for
// each call, so that openPath can tell the paths past it apart.
func (f *flow) gateOf(ins ssa.Instruction, k keep) *gate {
	if g, ok := f.gates[ins]; ok {
		return g
	}
	var errV ssa.Value
	if call, ok := ins.(*ssa.Call); ok {
		errV = errorOf(call)
	}
	g := &gate{c: f.newConds(errV), oursOnFailure: k == keepsOnSuccess}
	f.gates[ins] = g
	return g
}

// branch is the gate on successor j of an If on cond, in block b entered
// from pred, and whether the body is still the flow's there: where cond
// tells the call's error, the gate is passed, one way or the other.
func (g *gate) branch(cond ssa.Value, b, pred *ssa.BasicBlock, j int) (*gate, bool) {
	if g == nil {
		return nil, true
	}
	failed, ok := g.c.failedIf(cond, b, pred, 0)
	if !ok {
		return g, true
	}
	if (j == 0) == failed { // the branch on which the call failed
		return nil, g.oursOnFailure
	}
	return nil, !g.oursOnFailure
}

// errorOf is the error call returns, last of its results or alone, or nil.
func errorOf(call *ssa.Call) ssa.Value {
	errT := types.Universe.Lookup("error").Type()
	if types.Identical(call.Type(), errT) {
		return call
	}
	tup, ok := call.Type().(*types.Tuple)
	if !ok || tup.Len() < 2 || !types.Identical(tup.At(tup.Len()-1).Type(), errT) {
		return nil
	}
	for _, r := range *call.Referrers() {
		if e, ok := r.(*ssa.Extract); ok && e.Index == tup.Len()-1 {
			return e
		}
	}
	return nil
}
