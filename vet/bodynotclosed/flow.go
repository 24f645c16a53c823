package bodynotclosed

import (
	"go/token"
	"go/types"
	"slices"

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
	work        []ssa.Value
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
}

// use follows the carrier v into r.
func (f *flow) use(v ssa.Value, r ssa.Instruction) {
	switch r := r.(type) {
	case *ssa.Phi:
		f.add(r)
	case *ssa.ChangeInterface:
		f.add(r)
	case *ssa.MakeInterface:
		f.add(r)
	case *ssa.ChangeType:
		f.add(r)
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
			f.event(ins) // an implementation unknown: it may keep it
			f.unknown[ins] = true
		}
		return
	}
	callee := c.StaticCallee()
	if callee == nil {
		if c.Value == v || slices.Contains(c.Args, v) {
			f.event(ins) // a function value unknown: it may keep it
			f.unknown[ins] = true
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
	if isGo || drains(callee, c.Args, v) { // kept by the goroutine, or read to its end
		f.event(ins)
		return
	}
	if cp := skipCopy(ins, callee, v); cp != nil {
		f.event(cp)
		f.gateOf(cp, keepsOnError)
		return
	}
	for i, a := range c.Args {
		if a != v {
			continue
		}
		switch k := f.s.keeps(callee, i); k {
		case keepsAlways:
			f.event(ins)
			return
		case keepsOnSuccess, keepsOnError:
			f.event(ins)
			f.gateOf(ins, k)
			return
		case keepsSome:
			f.partial[ins] = true
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
// Resty response.
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
	return false
}

// A leak is a path on which the body stays open: to a return, or round a
// loop to the call that opens the next one.
type leak struct {
	at   token.Pos
	loop bool
}

// leak finds a path from the source to the end of the function on which no
// event closes or hands on the body. A branch on which the call's error is
// not nil, or the response is nil, has no body; a panic, or a call that
// does not return, ends the program or the goroutine.
func (f *flow) leak() (leak, bool) {
	src := f.src.call
	from := slices.Index(src.Block().Instrs, ssa.Instruction(src)) + 1
	l, ok := f.openPath(src, src.Block(), from, false)
	if len(f.unknown) > 0 && len(f.returned) > 0 {
		// What the body is handed to unseen (a callback given the
		// response, say) may keep it, so its function reports no leak;
		// but a body returned after that is still returned open, as far
		// as its callers can tell.
		f.openPath(src, src.Block(), from, true)
	}
	return l, ok
}

// openPath finds a path from instruction from of block start to the end
// of the function on which no event closes or hands on the body, as leak
// does; src, where not nil, is the call that opens it. On the way it notes
// in f.returns the results the body is returned in while still open: a
// function that closes the body, or defers its close, and then returns the
// response, returns no open body. It notes in f.left the returns it
// reaches with the body open, with an error or with none.
//
// With pastUnknown, it goes on past the events that hand the body to code
// it cannot see, for f.returns alone.
func (f *flow) openPath(src *ssa.Call, start *ssa.BasicBlock, from int, pastUnknown bool) (leak, bool) {
	var errV ssa.Value
	if src != nil && !f.src.openOnError {
		errV = errorOf(src)
	}
	w := &walk{f: f, c: f.newConds(errV), src: src, pastUnknown: pastUnknown, visited: map[walkKey]bool{}}
	w.stack = []walkItem{{b: start, from: from}}
	for len(w.stack) > 0 {
		it := w.stack[len(w.stack)-1]
		w.stack = w.stack[:len(w.stack)-1]
		w.scan(it)
	}
	if w.again {
		return leak{src.Pos(), true}, true
	}
	return w.first, w.found
}

// A walk is openPath's search. A block with phis is visited once for each
// block it is entered from, so that a phi there is the value of that edge:
// `resp, err = a()` and `resp, err = b()` on two branches, then
// `if err != nil`, is a's error on a's edge; and once for each gate the
// path has passed and not yet seen the error of.
type walk struct {
	f           *flow
	c           *conds
	src         *ssa.Call
	pastUnknown bool
	visited     map[walkKey]bool
	stack       []walkItem
	first       leak // the first return found open
	found       bool
	again       bool // the source reached again, round a loop
}

type walkKey struct {
	b, pred *ssa.BasicBlock
	g       *gate
}

type walkItem struct {
	b, pred *ssa.BasicBlock
	from    int
	g       *gate // the gate passed, whose error is not yet seen
}

func (w *walk) push(b, pred *ssa.BasicBlock, g *gate) {
	k := walkKey{b, nil, g}
	if len(b.Instrs) > 0 {
		if _, ok := b.Instrs[0].(*ssa.Phi); ok {
			k.pred = pred
		}
	}
	if !w.visited[k] {
		w.visited[k] = true
		w.stack = append(w.stack, walkItem{b, pred, 0, g})
	}
}

// scan follows the path of it through its block, to the block's end or to
// the instruction that ends the path.
func (w *walk) scan(it walkItem) {
	f := w.f
	for i := it.from; i < len(it.b.Instrs); i++ {
		ins := it.b.Instrs[i]
		if w.src != nil && ins == ssa.Instruction(w.src) {
			w.again = true // the worst: one leak a turn; the other paths still tell f.returns
			return
		}
		if g := f.gates[ins]; g != nil {
			it.g = g // kept or not, as its error tells
			continue
		}
		if f.events[ins] && !(w.pastUnknown && f.unknown[ins]) {
			r, ok := ins.(*ssa.Return)
			if !ok {
				return
			}
			if rs := f.returnedBy(r); rs != 0 {
				f.returns |= rs // returned open: its caller's to close
				if w.c.mayFail(r, it.b, it.pred) {
					f.openOnError |= rs
				}
				return
			}
		}
		switch ins := ins.(type) {
		case *ssa.Return:
			if !w.found {
				w.first, w.found = leak{ins.Pos(), false}, true
			}
			f.left |= w.leftAt(ins, it)
			return
		case *ssa.Panic:
			return
		case *ssa.Call:
			if noReturn(ins.Common()) {
				return
			}
		case *ssa.If:
			skip := w.c.noBody(ins.Cond, it.b, it.pred)
			for j, succ := range it.b.Succs {
				if g, ours := it.g.branch(ins.Cond, it.b, it.pred, j); j != skip && ours {
					w.push(succ, it.b, g)
				}
			}
		case *ssa.Jump:
			w.push(it.b.Succs[0], it.b, it.g)
		}
	}
}

// returnedBy is the results the return r returns the body in: not one
// loaded from a variable that held it, and holds another value there (a
// named result set nil by `return nil, err`).
func (f *flow) returnedBy(r *ssa.Return) uint8 {
	rs := f.returned[r]
	notBody := func(v ssa.Value) bool { return v == nil || !f.carriers[v] }
	for i, x := range r.Results {
		load, ok := x.(*ssa.UnOp)
		if i < 8 && ok && load.Op == token.MUL && f.boxes[load.X] &&
			lastStores(load.X, load, notBody) {
			rs &^= 1 << i
		}
	}
	return rs
}

// leftAt is how the return r, on the path of it, leaves the body open:
// with an error (leftOnError) or with none (leftOnSuccess). Past a gate
// whose error it returns (`return requireCodes(resp, 200)`), the gate's
// error tells: the body is open where the gate's call failed, and so the
// return's error is not nil, or where it succeeded, and so it is nil.
func (w *walk) leftAt(r *ssa.Return, it walkItem) uint8 {
	if g := it.g; g != nil && len(r.Results) > 0 && g.c.isErr(edge(r.Results[len(r.Results)-1], it.b, it.pred), map[*ssa.Phi]bool{}) {
		if g.oursOnFailure {
			return leftOnError
		}
		return leftOnSuccess
	}
	if w.c.mayFail(r, it.b, it.pred) {
		return leftOnError
	}
	return leftOnSuccess
}

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

// noReturn reports whether c is a call that does not return: the process
// exits, or the goroutine, or the test, ends.
func noReturn(c *ssa.CallCommon) bool {
	var pkg *types.Package
	var name string
	if c.IsInvoke() {
		pkg, name = c.Method.Pkg(), c.Method.Name()
	} else if fn := c.StaticCallee(); fn != nil && fn.Package() != nil {
		pkg, name = fn.Package().Pkg, fn.Name()
	}
	if pkg == nil {
		return false
	}
	switch pkg.Path() {
	case "os":
		return name == "Exit"
	case "log":
		switch name {
		case "Fatal", "Fatalf", "Fatalln", "Panic", "Panicf", "Panicln":
			return true
		}
	case "runtime":
		return name == "Goexit"
	case "testing":
		switch name {
		case "Fatal", "Fatalf", "FailNow", "Skip", "Skipf", "SkipNow":
			return true
		}
	}
	return false
}
