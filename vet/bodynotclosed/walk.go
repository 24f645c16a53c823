package bodynotclosed

import (
	"go/token"
	"slices"

	"golang.org/x/tools/go/ssa"
)

// A leak is a path on which the body stays open: to a return, or round a
// loop to the call that opens the next one.
type leak struct {
	at   token.Pos
	loop bool
	// withErr: the body is returned open, at at, with an error that
	// may not be nil, which its callers take for no body.
	withErr bool
}

// leak finds a path from the source to the end of the function on which no
// event closes or hands on the body. A branch on which the call's error is
// not nil, or the response is nil, has no body; a panic, or a call that
// does not return, ends the program or the goroutine.
func (f *flow) leak() (leak, bool) {
	src := f.src.call
	from := slices.Index(src.Block().Instrs, ssa.Instruction(src)) + 1
	l, ok := f.openPath(src, src.Block(), from, nil)
	if len(f.unknown) > 0 && len(f.returned) > 0 {
		// What the body is handed to unseen (a callback given the
		// response, say) may keep it, so its function reports no leak;
		// but a body returned after that is still returned open, as far
		// as its callers can tell: unless the callback it was shown to
		// owns it, which its callers tell (see shows).
		f.returnsPast(src, from)
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
// Where past is not nil, it goes on past those of the events that hand
// the body to code it cannot see, for f.returns alone.
func (f *flow) openPath(src *ssa.Call, start *ssa.BasicBlock, from int, past map[ssa.Instruction]bool) (leak, bool) {
	errV := f.paramErr
	if src != nil {
		errV = errorOf(src)
		if f.within == nil {
			f.within = reachable(src.Block())
		}
	}
	w := &walk{f: f, c: f.newConds(errV), src: src, past: past, visited: map[walkKey]bool{}}
	w.stack = []walkItem{{b: start, from: from}}
	for len(w.stack) > 0 {
		it := w.stack[len(w.stack)-1]
		w.stack = w.stack[:len(w.stack)-1]
		w.scan(it)
	}
	switch {
	case w.again:
		return leak{at: src.Pos(), loop: true}, true
	case !w.found && w.withErr.IsValid():
		return leak{at: w.withErr, withErr: true}, true
	}
	return w.first, w.found
}

// A walk is openPath's search. A block with phis is visited once for each
// block it is entered from, so that a phi there is the value of that edge:
// `resp, err = a()` and `resp, err = b()` on two branches, then
// `if err != nil`, is a's error on a's edge; and once for each gate the
// path has passed and not yet seen the error of.
type walk struct {
	f       *flow
	c       *conds
	src     *ssa.Call
	past    map[ssa.Instruction]bool // the events it goes on past (see openPath)
	visited map[walkKey]bool
	stack   []walkItem
	first   leak // the first return found open
	found   bool
	again   bool      // the source reached again, round a loop
	withErr token.Pos // the first in the file of the returns of the body open with an error (see returned)
}

type walkKey struct {
	b, pred *ssa.BasicBlock
	g       *gate
	onErr   bool
}

type walkItem struct {
	b, pred *ssa.BasicBlock
	from    int
	g       *gate // the gate passed, whose error is not yet seen
	// onErr: past a branch on which the call failed, where the call
	// returns its body with an error (f.src.openOnError).
	onErr bool
}

func (w *walk) push(b, pred *ssa.BasicBlock, g *gate, onErr bool) {
	k := walkKey{b, nil, g, onErr}
	if len(b.Instrs) > 0 {
		if _, ok := b.Instrs[0].(*ssa.Phi); ok {
			k.pred = pred
		}
	}
	if !w.visited[k] {
		w.visited[k] = true
		w.stack = append(w.stack, walkItem{b, pred, 0, g, onErr})
	}
}

// scan follows the path of it through its block, to the block's end or to
// the instruction that ends the path.
func (w *walk) scan(it walkItem) {
	f := w.f
	for i := it.from; i < len(it.b.Instrs); i++ {
		ins := it.b.Instrs[i]
		if w.src != nil && ins == ssa.Instruction(w.src) {
			w.again = w.again || !it.onErr // the worst: one leak a turn; the other paths still tell f.returns
			return
		}
		if g := f.gates[ins]; g != nil {
			it.g = g // kept or not, as its error tells
			continue
		}
		if f.events[ins] && !w.past[ins] {
			r, ok := ins.(*ssa.Return)
			if !ok {
				return
			}
			if rs := f.returnedBy(r); rs != 0 {
				w.returned(r, rs, it)
				return
			}
		}
		switch ins := ins.(type) {
		case *ssa.Return:
			if it.onErr {
				return // the call's body dropped with its error: the call's finding
			}
			if !w.found {
				w.first, w.found = leak{at: ins.Pos()}, true
			}
			f.left |= w.leftAt(ins, it)
			return
		case *ssa.Panic:
			return
		case *ssa.Call:
			if noReturn(ins.Common()) || failsTest(ins.Common()) {
				return
			}
		case *ssa.If:
			w.branch(ins, it)
		case *ssa.Jump:
			w.push(it.b.Succs[0], it.b, it.g, it.onErr)
		}
	}
}

// branch follows the path of it into the successors of the If at its
// block's end that may have the body: not one on which the response is
// nil, nor one on which the call failed where it returns no body with an
// error; that one, where it does, is walked as such (onErr).
func (w *walk) branch(ifi *ssa.If, it walkItem) {
	nilSide, failedSide := w.c.branches(ifi.Cond, it.b, it.pred)
	for j, succ := range it.b.Succs {
		onErr := it.onErr
		switch {
		case j == nilSide:
			continue
		case j == failedSide && !w.f.src.openOnError:
			continue
		case j == failedSide:
			onErr = true
		case failedSide >= 0 && it.onErr:
			continue // the call failed on this path
		}
		if g, ours := it.g.branch(ifi.Cond, it.b, it.pred, j); ours {
			w.push(succ, it.b, g, onErr)
		}
	}
}

// returned notes the return r of the body open in its results rs, on the
// path of it: a caller's to close (f.returns), and with an error that may
// not be nil (f.openOnError) where the call's error is passed on with it
// and the call returns its body with one, or where the return pairs it
// with another error, which its callers, as net/http's contract lets
// them, take for no body: then the finding is the function's, at r
// (w.withErr), and not its callers'.
func (w *walk) returned(r *ssa.Return, rs uint8, it walkItem) {
	f := w.f
	f.returns |= rs
	may := w.c.returnErr(r, it.b, it.pred)
	switch {
	case may == 0:
	case it.onErr || may == mayCallErr && f.src.openOnError:
		f.openOnError |= rs // the call's error passed on with its body
		if isRoundTripMethod(f.fn) {
			w.openWithErr(r) // but a RoundTripper's contract forbids the pair
		}
	case may&mayOtherErr != 0:
		f.openOnError |= rs
		w.openWithErr(r)
	}
}

// openWithErr notes the return r of the body open with an error, in a
// flow from a source, on a path that hands the body to no code unseen.
func (w *walk) openWithErr(r *ssa.Return) {
	if w.src != nil && w.past == nil && (!w.withErr.IsValid() || r.Pos() < w.withErr) {
		w.withErr = r.Pos()
	}
}

// isRoundTripMethod reports whether fn is a method RoundTrip of
// http.RoundTripper's shape.
func isRoundTripMethod(fn *ssa.Function) bool {
	return fn.Signature.Recv() != nil && fn.Name() == "RoundTrip" && isRoundTrip(fn.Signature)
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
			lastStores(load.X, load, f.within, notBody) {
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

// failsTest reports whether c is a call that fails the test and goes on,
// t.Error, t.Errorf or t.Fail (a *testing.T's, B's, F's or a testing.TB's):
// a path that fails its test ends there for the check. The test reports
// it already, and it is most often the path where a call the test expects
// to fail did not, `if err == nil { t.Error("want an error") }`, the one
// path on which that call returns a body.
func failsTest(c *ssa.CallCommon) bool {
	path, name := calleeName(c)
	return path == "testing" && (name == "Error" || name == "Errorf" || name == "Fail")
}

// calleeName is the import path and the name of what c calls: a function,
// a method, or an interface's method; "" for a func value.
func calleeName(c *ssa.CallCommon) (path, name string) {
	if c.IsInvoke() {
		if c.Method.Pkg() != nil {
			return c.Method.Pkg().Path(), c.Method.Name()
		}
	} else if fn := c.StaticCallee(); fn != nil && fn.Package() != nil {
		return fn.Package().Pkg.Path(), fn.Name()
	}
	return "", ""
}

// noReturn reports whether c is a call that does not return: the process
// exits, or the goroutine, or the test, ends.
func noReturn(c *ssa.CallCommon) bool {
	path, name := calleeName(c)
	switch path {
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
