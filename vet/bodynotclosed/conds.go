package bodynotclosed

import (
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/ssa"
)

// conds reads the conditions of a flow's branches: which of them tell
// that its call failed, or that its response is nil.
type conds struct {
	f        *flow
	errV     ssa.Value          // the call's error result, or nil
	errBoxes map[ssa.Value]bool // the variables it is stored in
}

// newConds is the conds of the error errV, which may be nil.
func (f *flow) newConds(errV ssa.Value) *conds {
	c := &conds{f: f, errV: errV, errBoxes: map[ssa.Value]bool{}}
	if errV == nil {
		return c
	}
	for _, r := range *errV.Referrers() {
		if st, ok := r.(*ssa.Store); ok && st.Val == errV {
			if a, ok := st.Addr.(*ssa.Alloc); ok {
				c.errBoxes[a] = true
			}
		}
	}
	return c
}

// branches are the successors of the If on cond, in block b entered from
// pred, on which the response is nil (nilSide) and on which the call's
// error is not nil (failedSide), each -1 where cond does not tell.
func (c *conds) branches(cond ssa.Value, b, pred *ssa.BasicBlock) (nilSide, failedSide int) {
	if failed, ok := c.failedIf(cond, b, pred, 0); ok {
		if failed {
			return -1, 0
		}
		return -1, 1
	}
	bin, ok := cond.(*ssa.BinOp)
	if !ok || bin.Op != token.EQL && bin.Op != token.NEQ {
		return -1, -1
	}
	x, ok := nilCompared(bin)
	if !ok || !c.f.carriers[edge(x, b, pred)] {
		return -1, -1
	}
	if bin.Op == token.EQL { // resp == nil
		return 0, -1
	}
	return 1, -1
}

// failedIf reports whether cond tells that the call's error is not nil:
// where cond is failed, the error is not nil. cond is err != nil or
// err == nil, its negation, the ok of a type assertion of err (`_, ok :=
// err.(*url.Error)`: ok only where err is not nil), or a call given err,
// and not the body, that returns a bool (see errAssert).
func (c *conds) failedIf(cond ssa.Value, b, pred *ssa.BasicBlock, depth int) (failed, ok bool) {
	if depth > 8 {
		return false, false
	}
	switch cond := cond.(type) {
	case *ssa.UnOp:
		if cond.Op == token.NOT {
			failed, ok := c.failedIf(cond.X, b, pred, depth+1)
			return !failed, ok
		}
	case *ssa.BinOp:
		if cond.Op != token.EQL && cond.Op != token.NEQ {
			break
		}
		if x, ok := nilCompared(cond); ok && c.isErr(edge(x, b, pred), map[*ssa.Phi]bool{}) {
			return cond.Op == token.NEQ, true
		}
	case *ssa.Extract:
		ta, ok := cond.Tuple.(*ssa.TypeAssert)
		if ok && cond.Index == 1 && c.isErr(edge(ta.X, b, pred), map[*ssa.Phi]bool{}) {
			return true, true
		}
	case *ssa.Call:
		whenTrue, ok := errAssert(cond.Common())
		if !ok {
			break
		}
		given := false
		for _, a := range cond.Common().Args {
			if c.f.carriers[edge(a, b, pred)] {
				return false, false // shouldRetry(resp, err) may be true with a body
			}
			given = given || c.isErr(edge(unwrapIface(a), b, pred), map[*ssa.Phi]bool{})
		}
		return whenTrue, given
	}
	return false, false
}

// What the error a return returns may be (see returnErr): none set where
// it is nil.
const (
	mayCallErr  = 1 << iota // the call's error, as the call returned it
	mayOtherErr             // another error, not nil
)

// returnErr is what the error the return r returns, reached from pred
// into b, may be: its last result, where that is an error.
func (c *conds) returnErr(r *ssa.Return, b, pred *ssa.BasicBlock) uint8 {
	res := r.Parent().Signature.Results()
	if res.Len() == 0 || !types.Identical(res.At(res.Len()-1).Type(), types.Universe.Lookup("error").Type()) {
		return 0
	}
	return c.errorsOf(edge(r.Results[len(r.Results)-1], b, pred), b, map[ssa.Value]bool{})
}

// mayFail reports whether the return r, reached from pred into b, may
// return an error that is not nil and not the call's.
func (c *conds) mayFail(r *ssa.Return, b, pred *ssa.BasicBlock) bool {
	return c.returnErr(r, b, pred)&mayOtherErr != 0
}

// errorsOf is what the error x, as block at uses it, may be: nothing where
// it is nil (or a variable's zero value, a nil x), or checked nil on
// every path to at (see checkedNil); the call's error; for a phi, what
// any of its values may be, and for a variable, what any of the values
// last stored in it may be; any other error else.
func (c *conds) errorsOf(x ssa.Value, at *ssa.BasicBlock, seen map[ssa.Value]bool) uint8 {
	if k, ok := x.(*ssa.Const); x == nil || ok && k.IsNil() || seen[x] || checkedNil(x, at) {
		return 0
	}
	if c.isErr(x, map[*ssa.Phi]bool{}) {
		return mayCallErr
	}
	seen[x] = true
	switch x := x.(type) {
	case *ssa.Phi:
		var may uint8
		for i, e := range x.Edges {
			if p := x.Block().Preds[i]; c.f.within == nil || c.f.within[p] {
				may |= c.errorsOf(e, p, seen)
			}
		}
		return may
	case *ssa.UnOp:
		if _, ok := x.X.(*ssa.Alloc); ok && x.Op == token.MUL {
			vals, known := reaching(x.X, x, c.f.within)
			if !known {
				return mayOtherErr
			}
			var may uint8
			for _, v := range vals {
				may |= c.errorsOf(v, at, seen)
			}
			return may
		}
	}
	return mayOtherErr
}

// isErr reports whether x is the call's error: the result itself, loaded
// from a variable it is the last stored in on every path from the call
// (not once `err = dump(resp)` stores another), or a phi of such alone.
func (c *conds) isErr(x ssa.Value, seen map[*ssa.Phi]bool) bool {
	if c.errV == nil {
		return false
	}
	switch x := x.(type) {
	case *ssa.UnOp:
		if x.Op != token.MUL || !c.errBoxes[x.X] {
			return false
		}
		// The last store on each path from the call stores its error, or
		// another; a path on which nothing is stored does not pass the call.
		isErr := func(v ssa.Value) bool { return v == nil || v == c.errV }
		return lastStores(x.X, x, c.f.within, isErr)
	case *ssa.Phi:
		if seen[x] {
			return true // round a loop: the other edges decide
		}
		seen[x] = true
		for _, e := range x.Edges {
			if !c.isErr(e, seen) {
				return false
			}
		}
		return true
	}
	return x == c.errV
}

// edge is x as it is on the edge from pred into b: the value of that edge
// where x is a phi of b.
func edge(x ssa.Value, b, pred *ssa.BasicBlock) ssa.Value {
	phi, ok := x.(*ssa.Phi)
	if !ok || pred == nil || phi.Block() != b {
		return x
	}
	if i := slices.Index(b.Preds, pred); i >= 0 && i < len(phi.Edges) {
		return phi.Edges[i]
	}
	return x
}

// nilCompared is the operand bin compares with nil.
func nilCompared(bin *ssa.BinOp) (ssa.Value, bool) {
	if k, ok := bin.X.(*ssa.Const); ok && k.IsNil() {
		return bin.Y, true
	}
	if k, ok := bin.Y.(*ssa.Const); ok && k.IsNil() {
		return bin.X, true
	}
	return nil, false
}

// unwrapIface is v before its conversions to other interfaces: an error
// passed as an any.
func unwrapIface(v ssa.Value) ssa.Value {
	for range 4 {
		switch x := v.(type) {
		case *ssa.ChangeInterface:
			v = x.X
		case *ssa.MakeInterface:
			v = x.X
		default:
			return v
		}
	}
	return v
}

// errAssert reports whether c is a call that returns one bool, and what
// its result says of an error it is given: the result of one named as
// testify's NoError and Nil are (and their f forms) is false only where
// the error is not nil; that of any other, a predicate on a failure
// (shouldRetry(err), errors.Is(err, ErrX), os.IsNotExist(err), testify's
// Error or NotNil), is true only where it is not nil.
func errAssert(c *ssa.CallCommon) (failed, ok bool) {
	res := c.Signature().Results()
	if res.Len() != 1 || !types.Identical(res.At(0).Type(), types.Typ[types.Bool]) {
		return false, false
	}
	var name string
	if c.IsInvoke() {
		name = c.Method.Name()
	} else if fn := c.StaticCallee(); fn != nil {
		name = fn.Name()
	}
	switch name {
	case "NoError", "NoErrorf", "Nil", "Nilf":
		return false, true
	}
	return true, true
}
