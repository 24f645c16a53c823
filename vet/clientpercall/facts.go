package clientpercall

import (
	"fmt"
	"go/ast"
	"go/types"
	"strings"
)

// keepsFact says which of a function's parameters it keeps: stores
// (in a field, a global, a map or slice it did not make), returns, sends
// on a channel, hands to a goroutine or a closure that outlives the call,
// or passes to a callee that keeps it. Bit 0 is the receiver, bit i+1 the
// parameter i (a variadic one counts for all its arguments). A function
// without the fact, from export data, an interface's method or a func
// value, is taken to keep everything.
type keepsFact struct{ Mask uint64 }

func (*keepsFact) AFact() {}

func (f *keepsFact) String() string {
	var kept []string
	if f.Mask&1 != 0 {
		kept = append(kept, "receiver")
	}
	for i := 1; i < 64; i++ {
		if f.Mask&(1<<i) != 0 {
			kept = append(kept, fmt.Sprint(i-1))
		}
	}
	return "keeps(" + strings.Join(kept, ",") + ")"
}

// keeps is fn's fact: from the package's own functions, or imported.
func (c *checker) keeps(fn *types.Func) (uint64, bool) {
	if fn.Pkg() == c.pass.Pkg {
		mask, ok := c.local[fn]
		if ok && c.computing != nil {
			c.callers[fn] = append(c.callers[fn], c.computing)
		}
		return mask, ok
	}
	var f keepsFact
	if c.pass.ImportObjectFact(fn, &f) {
		return f.Mask, true
	}
	return 0, false
}

// computeFacts computes the facts of the package's functions with a body,
// from none kept up: each is recomputed when a callee's fact grows, until
// none does. It exports those of the functions other packages can call.
func (c *checker) computeFacts() {
	decls := map[*types.Func]*ast.FuncDecl{}
	var order []*types.Func
	for _, f := range c.pass.Files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			if fn, ok := c.info.Defs[fd.Name].(*types.Func); ok {
				decls[fn] = fd
				c.local[fn] = 0
				order = append(order, fn)
			}
		}
	}
	queued := map[*types.Func]bool{}
	work := make([]*types.Func, 0, len(order))
	for i := len(order) - 1; i >= 0; i-- {
		work = append(work, order[i])
		queued[order[i]] = true
	}
	for len(work) > 0 {
		fn := work[len(work)-1]
		work = work[:len(work)-1]
		queued[fn] = false
		mask := c.computeFact(fn, decls[fn])
		if mask == c.local[fn] {
			continue
		}
		c.local[fn] = mask
		for _, caller := range c.callers[fn] {
			if !queued[caller] {
				queued[caller] = true
				work = append(work, caller)
			}
		}
	}
	for _, fn := range order {
		if fn.Exported() {
			c.pass.ExportObjectFact(fn, &keepsFact{c.local[fn]})
		}
	}
}

// computeFact is fn's mask, with the facts of its callees as they stand.
func (c *checker) computeFact(fn *types.Func, decl *ast.FuncDecl) uint64 {
	c.computing = fn
	defer func() { c.computing = nil }()
	var mask uint64
	bit := uint(0)
	param := func(v *types.Var) {
		if bit >= 64 {
			return
		}
		if v != nil && v.Name() != "" && v.Name() != "_" && holds(v.Type()) {
			fl := newFlow(decl)
			c.addVar(fl, v)
			c.follow(fl)
			if fl.kept {
				mask |= 1 << bit
			}
		}
		bit++
	}
	sig := fn.Type().(*types.Signature)
	param(sig.Recv()) // bit 0, receiver or none
	for v := range sig.Params().Variables() {
		param(v)
	}
	return mask
}
