package bodynotclosed

import (
	"go/token"
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/ssa"

	"github.com/connleak/connleak/vet/internal/analysisutil"
)

// A flow follows one body, or the response that holds it, through a
// function: the values that carry it, and the instructions that close it
// or hand it on (its events).
type flow struct {
	s        *state
	fn       *ssa.Function
	src      source // the call that opens it; none for a parameter's flow
	carriers map[ssa.Value]bool
	boxes    map[ssa.Value]bool // variables (allocs, free variables) that hold it
	events   map[ssa.Instruction]bool
	unknown  map[ssa.Instruction]bool // the events that hand it to code it cannot see: they may keep it
	returned map[*ssa.Return]uint8    // the returns it is returned at, and in which results
	returns  uint8                    // the results it is returned in open, on some path from its source (see openPath)
	// openOnError is those of returns it may be returned in open with an
	// error that is not nil.
	openOnError uint8
	gates       map[ssa.Instruction]*gate // the events that keep it on some paths, told apart by their error (see gateOf)
	partial     map[ssa.Instruction]bool  // the calls that keep it on some paths, not told apart (keepsSome): no events
	left        uint8                     // the returns reached with it open, as leftOnError and leftOnSuccess
	shows       uint64                    // the func parameters it is returned open past alone (see returnsPast)
	paramErr    ssa.Value                 // for a parameter's flow, the error taken as given with it, or nil (see pair)
	// rewrapped is the stores of a wrapper of the body in the Body field
	// of a response (`resp.Body = newIdleReader(resp.Body, d)`): where
	// the response is the flow's, the body is still its.
	rewrapped []*ssa.Store
	decoding  // whether the body may be a wrapper of the response's own (see decoded.go)
	// within is the blocks the source reaches: the paths that carry its
	// body go through them alone (nil for a parameter's flow).
	within map[*ssa.BasicBlock]bool
	work   []ssa.Value
}

func (s *state) newFlow(fn *ssa.Function) *flow {
	return &flow{s: s, fn: fn, carriers: map[ssa.Value]bool{}, boxes: map[ssa.Value]bool{}, events: map[ssa.Instruction]bool{}, unknown: map[ssa.Instruction]bool{}, gates: map[ssa.Instruction]*gate{}, partial: map[ssa.Instruction]bool{}, returned: map[*ssa.Return]uint8{}}
}

func (f *flow) add(v ssa.Value) {
	if !f.carriers[v] {
		f.carriers[v] = true
		f.work = append(f.work, v)
	}
}

func (f *flow) addBox(v ssa.Value) {
	if !f.boxes[v] {
		f.boxes[v] = true
		f.work = append(f.work, v)
	}
}

func (f *flow) event(ins ssa.Instruction) { f.events[ins] = true }

// run follows the values added to their uses.
func (f *flow) run() {
	for len(f.work) > 0 {
		v := f.work[len(f.work)-1]
		f.work = f.work[:len(f.work)-1]
		refs := v.Referrers()
		if refs == nil {
			continue
		}
		for _, r := range *refs {
			if f.boxes[v] {
				f.boxUse(v, r)
			} else {
				f.use(v, r)
			}
		}
	}
	for _, st := range f.rewrapped {
		if !f.carriers[st.Addr.(*ssa.FieldAddr).X] {
			f.event(st) // the wrapper is stored in another response: kept there
		} else {
			f.wrapped = true
		}
	}
	f.settleReads()
}

// storedInBody is the store of the result of the call ins, as it is or
// converted, in the Body field of a response, where that is all that is
// done with it: `resp.Body = newIdleReader(resp.Body, d)`.
func storedInBody(ins ssa.CallInstruction) *ssa.Store {
	var v ssa.Value
	if call, ok := ins.(*ssa.Call); ok {
		v = call
	}
	for range 2 {
		if v == nil || len(*v.Referrers()) != 1 {
			return nil
		}
		switch r := (*v.Referrers())[0].(type) {
		case *ssa.MakeInterface:
			v = r
			continue
		case *ssa.Store:
			fa, ok := r.Addr.(*ssa.FieldAddr)
			if ok && r.Val == v && isPointerTo(fa.X.Type(), "Response") && bodyField(fa.X.Type(), fa.Field) {
				return r
			}
		}
		return nil
	}
	return nil
}

// use follows the carrier v into r.
func (f *flow) use(v ssa.Value, r ssa.Instruction) {
	switch r := r.(type) {
	case *ssa.Phi, *ssa.ChangeInterface, *ssa.MakeInterface, *ssa.ChangeType:
		f.add(r.(ssa.Value))
	case *ssa.UnOp:
		if r.Op == token.MUL && isWrapper(v.Type()) {
			f.add(r) // a copy of the wrapper, which holds the same response
		}
	case *ssa.TypeAssert:
		if !r.CommaOk {
			f.add(r)
			break
		}
		for _, u := range *r.Referrers() {
			if e, ok := u.(*ssa.Extract); ok && e.Index == 0 {
				f.add(e)
			}
		}
	case *ssa.FieldAddr:
		if bodyField(r.X.Type(), r.Field) {
			for _, u := range *r.Referrers() {
				if load, ok := u.(*ssa.UnOp); ok && load.Op == token.MUL {
					f.add(load)
				}
			}
		}
	case *ssa.Field:
		if bodyField(types.NewPointer(r.X.Type()), r.Field) {
			f.add(r)
		}
	case *ssa.Store:
		if r.Val != v {
			break
		}
		if a, ok := r.Addr.(*ssa.Alloc); ok {
			f.addBox(a) // a local variable
		} else if w := wrapperMade(r.Addr); w != nil {
			f.add(w) // the wrapper made here carries it
		} else if st := heldInBody(r); st != nil {
			f.rewrapped = append(f.rewrapped, st) // held by a wrapper of it in a response's Body: see run
		} else {
			f.event(r) // a field, a global, an element: kept
		}
	case *ssa.Return:
		for i, x := range r.Results {
			if x == v {
				f.event(r)
				if i < 8 {
					f.returned[r] |= 1 << i
				}
			}
		}
	case *ssa.Send, *ssa.MapUpdate, *ssa.MakeClosure:
		f.event(r) // sent, kept in a map, or bound to a method value
	case ssa.CallInstruction:
		f.call(r, v)
	}
}

// boxUse follows the variable box into r.
func (f *flow) boxUse(box ssa.Value, r ssa.Instruction) {
	switch r := r.(type) {
	case *ssa.UnOp:
		if r.Op == token.MUL {
			f.add(r)
		} else {
			f.event(r)
		}
	case *ssa.Store:
		if r.Addr != box {
			f.event(r) // the variable's address kept
		}
	case *ssa.MakeClosure:
		f.closure(r, box)
	case *ssa.DebugRef:
	default:
		f.event(r) // the variable's address handed on
	}
}

// closure follows the variable box into the function literal mc captures
// it in: where the literal closes or keeps it, calling the literal (or
// deferring it) closes it, and handing the literal on keeps it.
func (f *flow) closure(mc *ssa.MakeClosure, box ssa.Value) {
	anon, ok := mc.Fn.(*ssa.Function)
	i := slices.Index(mc.Bindings, box)
	if !ok || i < 0 {
		f.event(mc)
		return
	}
	if sum, ok := f.s.sums[anon]; ok && (i >= 64 || sum.freeKeeps&(1<<i) == 0) {
		return // it only reads it
	}
	for _, u := range *mc.Referrers() {
		if call, ok := u.(ssa.CallInstruction); ok && call.Common().Value == mc {
			f.event(u)
		} else {
			f.event(mc)
		}
	}
}

// call follows the carrier v into a call.
func (f *flow) call(ins ssa.CallInstruction, v ssa.Value) {
	c := ins.Common()
	_, isGo := ins.(*ssa.Go)
	if c.IsInvoke() {
		if c.Value == v {
			if c.Method.Name() == "Close" || isGo {
				f.event(ins)
			}
			return
		}
		if slices.Contains(c.Args, v) {
			f.handedUnseen(ins, v) // an implementation unknown: it may keep it
		}
		return
	}
	callee := c.StaticCallee()
	if callee == nil {
		if c.Value == v || slices.Contains(c.Args, v) {
			f.handedUnseen(ins, v) // a function value unknown: it may keep it
		}
		return
	}
	if callee.Name() == "RawBody" && len(c.Args) == 1 && c.Args[0] == v && isRestyResponse(v.Type()) {
		if call, ok := ins.(*ssa.Call); ok {
			f.add(call)
		} else {
			f.event(ins)
		}
		return
	}
	if isGo { // kept by the goroutine
		f.event(ins)
		return
	}
	if drains(callee, c.Args, v) {
		f.readToEnd(ins, keepsAlways, false)
		return
	}
	if cp := skipCopy(ins, callee, v); cp != nil {
		f.readToEnd(cp, keepsOnError, false)
		return
	}
	for i, a := range c.Args {
		if a != v {
			continue
		}
		if st := storedInBody(ins); st != nil && f.s.wraps(callee, i) {
			f.rewrapped = append(f.rewrapped, st) // still the response's: see run
			return
		}
		if f.passedBack(ins, callee, c.Args, i) {
			return
		}
		k := f.keepsAt(callee, c.Args, i)
		if f.handedAt(callee, i, k, ins) || f.kept(ins, k) {
			return
		}
	}
}

// kept notes the call ins that keeps the body as k, and reports whether
// it takes the body off the flow's function on some path its error tells
// (a gate) or on every path: keepsSome takes it off on none the function
// can tell.
func (f *flow) kept(ins ssa.Instruction, k keep) bool {
	switch k {
	case keepsAlways:
		f.event(ins)
		return true
	case keepsOnSuccess, keepsOnError:
		f.event(ins)
		f.gateOf(ins, k)
		return true
	case keepsSome:
		f.partial[ins] = true
	}
	return false
}

// handedUnseen notes the call ins, of code the analyzer cannot see, given
// the carrier v: it may keep the body, and may hand it back in a result of
// v's type (an error handler given the last response, that returns it
// with an error), which then carries it too.
func (f *flow) handedUnseen(ins ssa.CallInstruction, v ssa.Value) {
	f.event(ins)
	f.unknown[ins] = true
	call, ok := ins.(*ssa.Call)
	if !ok {
		return
	}
	tup, ok := call.Type().(*types.Tuple)
	if !ok {
		if types.Identical(call.Type(), v.Type()) {
			f.add(call)
		}
		return
	}
	for _, r := range *call.Referrers() {
		if e, ok := r.(*ssa.Extract); ok && types.Identical(tup.At(e.Index).Type(), v.Type()) {
			f.add(e)
		}
	}
}

// drains reports whether the call of callee with args reads the body v
// until a Read returns an error: io.ReadAll(v), io.Copy(w, v) or
// io.CopyBuffer(w, v, buf) into a writer that does not fail (io.Discard, a
// *bytes.Buffer), ioutil's ReadAll, or a Buffer's ReadFrom(v). net/http's
// body gives its connection back to the pool at io.EOF, and closes it at
// any other error, so a body read so has no connection left to leak. A copy
// to any other writer may stop at a write error with the body unread.
func drains(callee *ssa.Function, args []ssa.Value, v ssa.Value) bool {
	if callee.Package() == nil {
		return false
	}
	if isBuffer(recvType(callee.Signature)) {
		return callee.Name() == "ReadFrom" && len(args) == 2 && args[1] == v
	}
	if callee.Signature.Recv() != nil {
		return false
	}
	switch path := callee.Package().Pkg.Path(); {
	case path != "io" && path != "io/ioutil":
		return false
	case callee.Name() == "ReadAll":
		return len(args) == 1 && args[0] == v
	case path == "io" && (callee.Name() == "Copy" || callee.Name() == "CopyBuffer"):
		return len(args) >= 2 && args[1] == v && (isDiscard(args[0]) || isBuffer(unwrapIface(args[0]).Type()))
	}
	return false
}

// isBuffer reports whether t is *bytes.Buffer, whose Write does not fail.
func isBuffer(t types.Type) bool {
	p, ok := t.(*types.Pointer)
	return ok && analysisutil.IsNamed(p.Elem(), "bytes", "Buffer")
}

// skipCopy is the call that discards the first bytes of the body v where
// ins, a call of callee given v, is io.LimitReader(v, n) and that call is
// io.Copy(io.Discard, io.LimitReader(v, n)) (or io.CopyBuffer): it fails
// only where a Read of the body fails, and net/http's body closes its
// connection then, so it keeps the body where it returns an error, and
// where it returns none leaves it open, read up to n bytes.
func skipCopy(ins ssa.CallInstruction, callee *ssa.Function, v ssa.Value) *ssa.Call {
	limit, ok := ins.(*ssa.Call)
	if !ok || callee.Name() != "LimitReader" || callee.Package() == nil || callee.Package().Pkg.Path() != "io" ||
		len(limit.Call.Args) == 0 || limit.Call.Args[0] != v {
		return nil
	}
	for _, r := range *limit.Referrers() {
		cp, ok := r.(*ssa.Call)
		if !ok {
			continue
		}
		fn := cp.Call.StaticCallee()
		if fn != nil && fn.Package() != nil && fn.Package().Pkg.Path() == "io" && (fn.Name() == "Copy" || fn.Name() == "CopyBuffer") &&
			len(cp.Call.Args) >= 2 && cp.Call.Args[1] == limit && isDiscard(cp.Call.Args[0]) {
			return cp
		}
	}
	return nil
}

// isDiscard reports whether w is io.Discard (or ioutil.Discard) as loaded.
func isDiscard(w ssa.Value) bool {
	load, ok := w.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return false
	}
	g, ok := load.X.(*ssa.Global)
	if !ok || g.Pkg == nil || g.Name() != "Discard" {
		return false
	}
	path := g.Pkg.Pkg.Path()
	return path == "io" || path == "io/ioutil"
}

// bodyField reports whether field i of what ptr points to is a body, or a
// response with one: Body of an http.Response, RawResponse or Body of a
// Resty response, the *http.Response a wrapper holds.
func bodyField(ptr types.Type, i int) bool {
	p, ok := ptr.Underlying().(*types.Pointer)
	if !ok {
		return false
	}
	st, ok := p.Elem().Underlying().(*types.Struct)
	if !ok || i >= st.NumFields() {
		return false
	}
	name := st.Field(i).Name()
	switch {
	case analysisutil.IsNamed(p.Elem(), "net/http", "Response"):
		return name == "Body"
	case isRestyResponse(p.Elem()):
		return name == "RawResponse" || name == "Body"
	}
	fld := responseField(ptr)
	return fld != nil && fld == st.Field(i)
}

// isWrapper reports whether t is a pointer to a struct that holds an
// *http.Response (see responseField): a response of the module's, whose
// body is the one it holds.
func isWrapper(t types.Type) bool { return responseField(t) != nil }

// responseField is the field of type *http.Response of the struct t points
// to, where it embeds one (`resp.Body.Close()` on it closes the embedded
// response's), or where t is a named type of another package than net/http
// and its own that has one such field alone (`RawResponse
// *http.Response`); nil for any other type. A request of net/http's, which
// holds the response it was redirected from (Request.Response), is no
// wrapper, nor httptest's ResponseRecorder.
func responseField(t types.Type) *types.Var {
	p, ok := t.Underlying().(*types.Pointer)
	if !ok {
		return nil
	}
	st, ok := p.Elem().Underlying().(*types.Struct)
	if !ok {
		return nil
	}
	var found *types.Var
	n := 0
	for fld := range st.Fields() {
		if !isPointerTo(fld.Type(), "Response") {
			continue
		}
		if fld.Embedded() {
			return fld
		}
		found = fld
		n++
	}
	named, ok := p.Elem().(*types.Named)
	if n != 1 || !ok || named.Obj().Pkg() == nil || strings.HasPrefix(named.Obj().Pkg().Path()+"/", "net/http/") {
		return nil
	}
	return found
}

// wrapperMade is the wrapper that addr is the embedded response field of,
// where the function makes it (`&Response{Response: resp}`), or nil.
func wrapperMade(addr ssa.Value) ssa.Value {
	fa, ok := addr.(*ssa.FieldAddr)
	if !ok {
		return nil
	}
	a, ok := fa.X.(*ssa.Alloc)
	if !ok || !bodyField(a.Type(), fa.Field) || !isWrapper(a.Type()) {
		return nil
	}
	return a
}
