package clientpercall

import (
	"fmt"
	"go/ast"
	"go/types"
	"strings"

	"github.com/connleak/connleak/vet/internal/analysisutil"
)

// keepsFact says which of a function's parameters it keeps (Mask):
// stores (in a field, a global, a map or slice it did not make), sends
// on a channel, hands to a goroutine or a closure that outlives the call,
// or passes to a callee that keeps it; and which of the others its result
// holds (Returns), as a wrapper's holds what it wraps: its caller follows
// the result. Bit 0 is the receiver, bit i+1 the parameter i (a variadic
// one counts for all its arguments). A function without the fact, the
// standard library's, an interface's method or a func value, is taken to keep
// everything, but for a wrapper's shape (see wraps). Makes is the kind of
// pool a constructor's result holds, made in it (makes.go); Unless, that
// the pool is none where DisableKeepAlives, known only at run time, is
// true.
type keepsFact struct {
	Mask, Returns uint64
	Makes         uint8
	Unless        bool
}

func (*keepsFact) AFact() {}

func (f *keepsFact) String() string {
	s := "keeps(" + bits(f.Mask) + ")"
	if f.Returns != 0 {
		s += " returns(" + bits(f.Returns) + ")"
	}
	if f.Makes != 0 {
		s += " makes(" + what[f.Makes]
		if f.Unless {
			s += ", unless DisableKeepAlives is true"
		}
		s += ")"
	}
	return s
}

// bits names the parameters of a mask of keepsFact's.
func bits(mask uint64) string {
	var names []string
	if mask&1 != 0 {
		names = append(names, "receiver")
	}
	for i := 1; i < 64; i++ {
		if mask&(1<<i) != 0 {
			names = append(names, fmt.Sprint(i-1))
		}
	}
	return strings.Join(names, ",")
}

// keeps is fn's fact: from the package's own functions, or imported.
func (c *checker) keeps(fn *types.Func) (keepsFact, bool) {
	if fn.Pkg() == c.pass.Pkg {
		f, ok := c.local[fn]
		if ok && c.computing != nil {
			c.callers[fn] = append(c.callers[fn], c.computing)
		}
		return f, ok
	}
	var f keepsFact
	if c.pass.ImportObjectFact(fn, &f) {
		return f, true
	}
	return keepsFact{}, false
}

// computeFacts computes the facts of the package's functions with a body,
// from none kept or returned up: each is recomputed when a callee's fact
// grows, until none does.
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
				c.local[fn] = keepsFact{}
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
		f := c.computeFact(fn, decls[fn])
		if f == c.local[fn] {
			continue
		}
		c.local[fn] = f
		for _, caller := range c.callers[fn] {
			if !queued[caller] {
				queued[caller] = true
				work = append(work, caller)
			}
		}
	}
}

// exportFacts exports the facts of the functions other packages can call,
// with what each constructor makes.
func (c *checker) exportFacts() {
	for fn, f := range c.local {
		if fn.Exported() {
			m := c.ctors[fn]
			f.Makes, f.Unless = uint8(m.kind), m.keepAlivesOff == analysisutil.Trusted
			c.pass.ExportObjectFact(fn, &f)
		}
	}
}

// computeFact is fn's fact, with the facts of its callees as they stand.
func (c *checker) computeFact(fn *types.Func, decl *ast.FuncDecl) keepsFact {
	c.computing = fn
	defer func() { c.computing = nil }()
	var f keepsFact
	bit := uint(0)
	param := func(v *types.Var) {
		if bit >= 64 {
			return
		}
		if v != nil && v.Name() != "" && v.Name() != "_" && holds(v.Type()) {
			fl := newFlow(decl)
			c.addVar(fl, v)
			c.follow(fl)
			switch {
			case fl.kept:
				f.Mask |= 1 << bit
			case fl.returned:
				f.Returns |= 1 << bit
			}
		}
		bit++
	}
	sig := fn.Type().(*types.Signature)
	param(sig.Recv()) // bit 0, receiver or none
	for v := range sig.Params().Variables() {
		param(v)
	}
	return f
}
