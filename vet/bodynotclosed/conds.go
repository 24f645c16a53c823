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

// noBody is the successor of the If on cond, in block b entered from pred,
// that has no body, or -1.
func (c *conds) noBody(cond ssa.Value, b, pred *ssa.BasicBlock) int {
	if failed, ok := c.failedIf(cond, b, pred, 0); ok {
		if failed {
			return 0
		}
		return 1
	}
	bin, ok := cond.(*ssa.BinOp)
	if !ok || bin.Op != token.EQL && bin.Op != token.NEQ {
		return -1
	}
	x, ok := nilCompared(bin)
	if !ok || !c.f.carriers[edge(x, b, pred)] {
		return -1
	}
	if bin.Op == token.EQL { // resp == nil
		return 0
	}
	return 1
}

// failedIf reports whether cond tells that the call's error is not nil:
// where cond is failed, the error is not nil. cond is err != nil or
// err == nil, its negation, or a call given err, and not the body, that
// returns a bool (see errAssert).
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

// mayFail reports whether the return r, reached from pred into b, may
// return an error that is not nil: its last result is an error, and
// neither nil nor the error of a call that returns no body with one.
func (c *conds) mayFail(r *ssa.Return, b, pred *ssa.BasicBlock) bool {
	res := r.Parent().Signature.Results()
	if res.Len() == 0 || !types.Identical(res.At(res.Len()-1).Type(), types.Universe.Lookup("error").Type()) {
		return false
	}
	return c.mayBeErr(edge(r.Results[len(r.Results)-1], b, pred), b, map[ssa.Value]bool{})
}

// mayBeErr reports whether the error x, as block at uses it, may be one
// that is not nil: not nil (nor a variable's zero value, a nil x), not
// the call's error, not checked nil on every path to at (see checkedNil);
// a phi where one of its values may be, a variable where one of the
// values last stored in it may be.
func (c *conds) mayBeErr(x ssa.Value, at *ssa.BasicBlock, seen map[ssa.Value]bool) bool {
	if k, ok := x.(*ssa.Const); x == nil || ok && k.IsNil() {
		return false
	}
	if seen[x] || c.isErr(x, map[*ssa.Phi]bool{}) || checkedNil(x, at) {
		return false
	}
	seen[x] = true
	switch x := x.(type) {
	case *ssa.Phi:
		for i, e := range x.Edges {
			if c.mayBeErr(e, x.Block().Preds[i], seen) {
				return true
			}
		}
		return false
	case *ssa.UnOp:
		if _, ok := x.X.(*ssa.Alloc); ok && x.Op == token.MUL {
			vals, known := reaching(x.X, x)
			return !known || slices.ContainsFunc(vals, func(v ssa.Value) bool { return c.mayBeErr(v, at, seen) })
		}
	}
	return true
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
		return lastStores(x.X, x, isErr)
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
