package bodynotclosed

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// A body may be a wrapper of the response's own body: a decoder that
// reads it, put in the response's Body field in place of the body
// (`resp.Body = &gzipBody{zr: zr, body: resp.Body}`), by the function or
// by a function it hands the response to. Reading such a body to its end
// does not give the connection back, as reading net/http's own body does:
// the decoder may fail, or stop, before the end of the body under it
// (a corrupt stream), and then only a Close frees the connection. So a
// body that may be a wrapper is done with only where it is closed or
// handed on, and the reads to its end that drains, skipCopy and the
// module's helpers that read do are settled, at the end of a flow's run,
// as the flow's body tells.

// unreadNote ends the message of a finding on a body that may be a
// wrapper, read to its end where it is not closed.
const unreadNote = "; reading it to its end does not free it: it may be a wrapper of the response's body (a decoder), which can stop before the body's end"

// decoding is what a flow knows of a wrapper of its body.
type decoding struct {
	// wrapped is set where the body may be a wrapper of the response's
	// own body: where the flow's source returns one, or the function, or
	// a function it hands the response to, replaces the response's Body
	// with one.
	wrapped bool
	reads   []read // the calls that read the body to its end
	// unread is set where some of reads did not count, the body being
	// wrapped: for the finding's message.
	unread bool
}

// A read is a call that takes the body off the flow's function by
// reading it to its end, as k says, where the body is net/http's own: a
// read of the standard library's (io.ReadAll, a copy to io.Discard), or
// a helper of the module that reads what it is given (see readsOnly).
type read struct {
	ins    ssa.Instruction
	k      keep
	helper bool
}

// readToEnd notes the call ins that reads the body to its end, and takes
// it off the flow's function as k where the body is net/http's own.
func (f *flow) readToEnd(ins ssa.Instruction, k keep, helper bool) {
	f.reads = append(f.reads, read{ins, k, helper})
}

// settleReads decides the flow's reads, once its body is known to be
// wrapped or not: where it is not, each keeps the body as its read says;
// where it is, none does, and a helper that reads may still close or
// keep it on some paths (keepsSome).
func (f *flow) settleReads() {
	for _, r := range f.reads {
		switch {
		case !f.wrapped:
			f.kept(r.ins, r.k)
		case r.helper:
			f.partial[r.ins] = true
			f.unread = true
		default:
			f.unread = true
		}
	}
}

// readsOnly reports whether fn's parameter p, whose flow f is, is taken
// off fn's caller on some path by a read to its end alone: followed as a
// wrapper, which reading does not free, it is not taken off on the same
// paths.
func (s *state) readsOnly(fn *ssa.Function, p *ssa.Parameter, f *flow) bool {
	if f.wrapped || len(f.reads) == 0 {
		return false
	}
	g := s.newFlow(fn)
	g.wrapped = true
	g.add(p)
	g.run()
	return !g.keeps() || g.left != f.left
}

// decodedOf is what callee does with wrappers of bodies, from its summary
// or its fact: the parameters whose response's Body it may replace with
// one (rewraps), those it takes off its caller on some path by reading
// them to their end alone (reads), and the results that may be one
// (wrapped).
func (s *state) decodedOf(callee *ssa.Function) (rewraps, reads uint64, wrapped uint8) {
	if o := callee.Origin(); o != nil {
		callee = o
	}
	if sum, ok := s.sums[callee]; ok {
		return sum.rewraps, sum.reads, sum.wrapped
	}
	obj, _ := callee.Object().(*types.Func)
	var fact ownsFact
	if obj != nil && obj.Pkg() != nil && obj.Pkg() != s.pass.Pkg && s.pass.ImportObjectFact(obj, &fact) {
		return fact.Rewraps, fact.Reads, fact.Wrapped
	}
	return 0, 0, 0
}

// handedAt notes what callee does with the flow's body, given as its
// argument i, where that body is a wrapper: it may make it one (rewraps),
// and it reports whether callee takes it off by reading it alone, which
// readToEnd then notes as k.
func (f *flow) handedAt(callee *ssa.Function, i int, k keep, ins ssa.Instruction) (reads bool) {
	if i >= 64 {
		return false
	}
	rewraps, readsBits, _ := f.s.decodedOf(callee)
	if rewraps&(1<<i) != 0 {
		f.wrapped = true
	}
	if readsBits&(1<<i) == 0 {
		return false
	}
	f.readToEnd(ins, k, true)
	return true
}

// heldInBody is the store of a value that holds what st stores in the
// Body field of a response, where st stores it in a field or an element
// of a struct or an array the function makes, which is stored in turn, as
// it is, sliced or converted, in a field or an element of another, and so
// on, and at last in a response's Body (`resp.Body = &multiCloser{reader:
// zr, closers: []io.Closer{zr, resp.Body}}`), and that is all that is done
// with each. It is nil where it is not so.
func heldInBody(st *ssa.Store) *ssa.Store {
	addr := st.Addr
	for range 4 {
		var x ssa.Value
		switch a := addr.(type) {
		case *ssa.FieldAddr:
			x = a.X
		case *ssa.IndexAddr:
			x = a.X
		}
		made, ok := x.(*ssa.Alloc)
		if !ok {
			return nil
		}
		next := storedOnce(made)
		if next == nil {
			return nil
		}
		if fa, ok := next.Addr.(*ssa.FieldAddr); ok && isPointerTo(fa.X.Type(), "Response") && bodyField(fa.X.Type(), fa.Field) {
			return next
		}
		addr = next.Addr
	}
	return nil
}

// storedOnce is the one store of v, as it is, loaded, sliced or
// converted, where all else done with v is to take the address of its
// fields or elements: nil where there is none, or more than one, or v is
// used otherwise (passed to a call, returned).
func storedOnce(v ssa.Value) *ssa.Store {
	var found *ssa.Store
	many := false
	var visit func(v ssa.Value)
	visit = func(v ssa.Value) {
		for _, r := range *v.Referrers() {
			switch r := r.(type) {
			case *ssa.FieldAddr, *ssa.IndexAddr, *ssa.DebugRef:
			case *ssa.Slice, *ssa.MakeInterface, *ssa.ChangeInterface, *ssa.ChangeType:
				visit(r.(ssa.Value))
			case *ssa.UnOp:
				if r.Op != token.MUL {
					many = true
					continue
				}
				visit(r)
			case *ssa.Store:
				if r.Val != v || found != nil {
					many = true
				}
				found = r
			default:
				many = true
			}
		}
	}
	visit(v)
	if many {
		return nil
	}
	return found
}
