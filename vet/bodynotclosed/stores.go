package bodynotclosed

import (
	"go/token"
	"slices"

	"golang.org/x/tools/go/ssa"
)

// reaching is the values last stored in the variable box on the paths to
// the instruction at that reads it, through the blocks of within alone
// where it is not nil (those a call reaches: the paths from the call): a
// nil element for a path that stores nothing, and leaves its zero value.
// known is false where a call on the way may store anything: one given
// the variable's address, or a call of a function literal that binds it.
func reaching(box ssa.Value, at ssa.Instruction, within map[*ssa.BasicBlock]bool) (vals []ssa.Value, known bool) {
	seen := map[*ssa.BasicBlock]bool{}
	var walk func(b *ssa.BasicBlock, i int) bool
	walk = func(b *ssa.BasicBlock, i int) bool {
		for i--; i >= 0; i-- {
			switch ins := b.Instrs[i].(type) {
			case *ssa.Store:
				if ins.Addr == box {
					vals = append(vals, ins.Val)
					return true
				}
			case *ssa.Call, *ssa.Go:
				call := ins.(ssa.CallInstruction).Common()
				mc, _ := call.Value.(*ssa.MakeClosure)
				if slices.Contains(call.Args, box) || mc != nil && slices.Contains(mc.Bindings, box) {
					return false
				}
			}
		}
		if seen[b] {
			return true // round a loop: the other paths tell
		}
		seen[b] = true
		if len(b.Preds) == 0 {
			vals = append(vals, nil)
		}
		for _, p := range b.Preds {
			if within != nil && !within[p] {
				continue
			}
			if !walk(p, len(p.Instrs)) {
				return false
			}
		}
		return true
	}
	b := at.Block()
	known = walk(b, slices.Index(b.Instrs, at))
	return vals, known
}

// lastStores reports whether each value last stored in the variable box
// on the paths to the instruction at, through the blocks of within where
// it is not nil, nil for none stored, is one that ok takes.
func lastStores(box ssa.Value, at ssa.Instruction, within map[*ssa.BasicBlock]bool, ok func(ssa.Value) bool) bool {
	vals, known := reaching(box, at, within)
	return known && !slices.ContainsFunc(vals, func(v ssa.Value) bool { return !ok(v) })
}

// checkedNil reports whether every path to block at passes a branch on
// which x is nil: an If on x != nil or x == nil, on x itself or on a
// variable that holds x alone where it is read, whose nil side dominates
// at and is entered from the If alone (`if err != nil { return err }`).
func checkedNil(x ssa.Value, at *ssa.BasicBlock) bool {
	for _, y := range holding(x) {
		if y.Referrers() == nil {
			continue
		}
		for _, r := range *y.Referrers() {
			bin, ok := r.(*ssa.BinOp)
			if !ok || bin.Op != token.EQL && bin.Op != token.NEQ {
				continue
			}
			if _, ok := nilCompared(bin); !ok {
				continue
			}
			for _, u := range *bin.Referrers() {
				ifi, ok := u.(*ssa.If)
				if !ok || ifi.Cond != bin {
					continue
				}
				d := ifi.Block()
				nilSide := d.Succs[1]
				if bin.Op == token.EQL {
					nilSide = d.Succs[0]
				}
				if len(nilSide.Preds) == 1 && nilSide.Dominates(at) {
					return true
				}
			}
		}
	}
	return false
}

// holding is x and the reads of the variables it is stored in that hold
// x alone there.
func holding(x ssa.Value) []ssa.Value {
	vs := []ssa.Value{x}
	if x.Referrers() == nil {
		return vs
	}
	for _, r := range *x.Referrers() {
		st, ok := r.(*ssa.Store)
		if !ok || st.Val != x {
			continue
		}
		box, ok := st.Addr.(*ssa.Alloc)
		if !ok {
			continue
		}
		for _, u := range *box.Referrers() {
			load, ok := u.(*ssa.UnOp)
			if ok && load.Op == token.MUL && lastStores(box, load, nil, func(v ssa.Value) bool { return v == x }) {
				vs = append(vs, load)
			}
		}
	}
	return vs
}

// reachable is the blocks reached from block b, b included.
func reachable(b *ssa.BasicBlock) map[*ssa.BasicBlock]bool {
	seen := map[*ssa.BasicBlock]bool{}
	work := []*ssa.BasicBlock{b}
	for len(work) > 0 {
		b := work[len(work)-1]
		work = work[:len(work)-1]
		if !seen[b] {
			seen[b] = true
			work = append(work, b.Succs...)
		}
	}
	return seen
}
