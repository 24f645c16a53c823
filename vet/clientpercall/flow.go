package clientpercall

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/connleak/connleak/vet/internal/analysisutil"
)

// A checker holds what the flows of one package share: its syntax
// indexed upward, the uses and definitions of its variables, and the
// facts of its functions.
type checker struct {
	pass   *analysis.Pass
	info   *types.Info
	parent map[ast.Node]ast.Node
	uses   map[*types.Var][]*ast.Ident
	defs   map[*types.Var]*ast.Ident

	// local holds the facts of the package's own functions, computed
	// (see facts.go); callers the functions whose facts consulted each;
	// computing the function whose fact is being computed.
	local     map[*types.Func]keepsFact
	callers   map[*types.Func][]*types.Func
	computing *types.Func
	// ctors holds the package's constructors, and what each makes.
	ctors map[*types.Func]ctor
}

func newChecker(pass *analysis.Pass) *checker {
	c := &checker{
		pass:    pass,
		info:    pass.TypesInfo,
		parent:  analysisutil.Parents(pass.Files),
		uses:    map[*types.Var][]*ast.Ident{},
		defs:    map[*types.Var]*ast.Ident{},
		local:   map[*types.Func]keepsFact{},
		callers: map[*types.Func][]*types.Func{},
		ctors:   map[*types.Func]ctor{},
	}
	for id, obj := range c.info.Uses {
		if v, ok := obj.(*types.Var); ok && !v.IsField() {
			c.uses[v] = append(c.uses[v], id)
		}
	}
	for id, obj := range c.info.Defs {
		if v, ok := obj.(*types.Var); ok && !v.IsField() {
			c.defs[v] = id
		}
	}
	return c
}

// A flow is where a value made, or received, in a function goes: the
// variables and expressions that hold it, whether it outlives the call
// (kept, or returned by the function), and the calls that release it.
type flow struct {
	fn       ast.Node       // the *ast.FuncDecl or *ast.FuncLit
	body     *ast.BlockStmt // fn's body
	kept     bool
	returned bool
	vars     map[*types.Var]bool
	nodes    map[ast.Node]bool
	releases []ast.Node // calls of a release method, and method values handed to Cleanup
	work     []ast.Node
}

func newFlow(fn ast.Node) *flow {
	fl := &flow{fn: fn, vars: map[*types.Var]bool{}, nodes: map[ast.Node]bool{}}
	switch fn := fn.(type) {
	case *ast.FuncDecl:
		fl.body = fn.Body
	case *ast.FuncLit:
		fl.body = fn.Body
	}
	return fl
}

// follow runs the flow from the expressions it was given, to its end.
func (c *checker) follow(fl *flow) {
	for len(fl.work) > 0 && !fl.kept {
		n := fl.work[len(fl.work)-1]
		fl.work = fl.work[:len(fl.work)-1]
		c.step(fl, n)
	}
}

func (c *checker) push(fl *flow, n ast.Node) {
	if !fl.nodes[n] {
		fl.nodes[n] = true
		fl.work = append(fl.work, n)
	}
}

// addVar makes v one of the flow's variables: each of its uses holds the
// value, and each closure that uses it.
func (c *checker) addVar(fl *flow, v *types.Var) {
	if fl.vars[v] {
		return
	}
	fl.vars[v] = true
	for _, id := range c.uses[v] {
		c.push(fl, id)
		// A closure that captures v holds the value.
		for n := c.parent[id]; n != nil && n != fl.fn; n = c.parent[n] {
			if lit, ok := n.(*ast.FuncLit); ok {
				c.push(fl, lit)
			}
		}
	}
}

// isLocal reports whether v is a variable declared in the flow's function
// body: not a parameter, a result, a captured variable or a package one.
func (c *checker) isLocal(fl *flow, v *types.Var) bool {
	return fl.body != nil && v.Pkg() == c.pass.Pkg && v.Parent() != v.Pkg().Scope() &&
		fl.body.Pos() <= v.Pos() && v.Pos() < fl.body.End()
}

// step follows the value from n, which holds it, one expression up.
func (c *checker) step(fl *flow, n ast.Node) {
	switch p := c.parent[n].(type) {
	case *ast.ParenExpr, *ast.SliceExpr, *ast.TypeAssertExpr:
		c.push(fl, p)
	case *ast.StarExpr:
		if !c.isLHS(p) {
			c.push(fl, p) // a copy of a Client holds its Transport
		}
	case *ast.UnaryExpr:
		if p.Op == token.AND {
			c.push(fl, p)
		}
	case *ast.SelectorExpr:
		c.selector(fl, p)
	case *ast.IndexExpr:
		if p.X != n {
			fl.kept = true // a map key
		} else if !c.isLHS(p) && holds(c.info.TypeOf(p)) {
			c.push(fl, p)
		}
	case *ast.CallExpr:
		if p.Fun == n {
			if g, ok := c.parent[p].(*ast.GoStmt); ok && !c.joined(g) {
				fl.kept = true // a goroutine outlives the call, unless joined
			}
			return // a closure called, or a conversion's type
		}
		c.argument(fl, p, n)
	case *ast.KeyValueExpr:
		c.push(fl, c.parent[p]) // its composite literal holds it
	case *ast.CompositeLit:
		c.push(fl, p)
	case *ast.AssignStmt:
		c.assign(fl, p, n)
	case *ast.ValueSpec, *ast.RangeStmt:
		c.declared(fl, p, n)
	case *ast.SendStmt:
		if p.Value == n {
			fl.kept = true
		}
	case *ast.ReturnStmt:
		if analysisutil.EnclosingFunc(c.parent, p) == fl.fn {
			fl.returned = true // the function's result holds it
		} else {
			fl.kept = true // a closure's result: where it goes is not followed
		}
	case *ast.ExprStmt, *ast.BinaryExpr, *ast.IfStmt, *ast.SwitchStmt, *ast.CaseClause, *ast.IncDecStmt, *ast.DeferStmt, *ast.GoStmt:
		// Dropped or compared; a call's own statement is seen at the call.
	case *ast.FuncDecl, *ast.Field:
		// A parameter's own declaration.
	default:
		fl.kept = true // anything else: say kept
	}
}

// selector follows the value from p.X, which holds it, into the selector
// p: a method called on it, a method value (a release handed to
// t.Cleanup, say), or a field that holds a pool.
func (c *checker) selector(fl *flow, p *ast.SelectorExpr) {
	if call, ok := c.parent[p].(*ast.CallExpr); ok && call.Fun == p {
		c.method(fl, call, p)
		return
	}
	if c.isLHS(p) {
		return // a write into the value: the stored value's flow sees it
	}
	sel := c.info.Selections[p]
	if sel == nil {
		return
	}
	if fn, ok := sel.Obj().(*types.Func); ok && sel.Kind() == types.MethodVal && analysisutil.IsReleaseMethod(fn) &&
		isReleased(c.info, c.parent, p) {
		fl.releases = append(fl.releases, p) // t.Cleanup(tr.CloseIdleConnections)
		return
	}
	if sel.Kind() == types.MethodVal || holds(sel.Type()) {
		c.push(fl, p)
	}
}

// declared follows the value from n into the variables a var declaration
// or a range statement, p, gives it to.
func (c *checker) declared(fl *flow, p ast.Node, n ast.Node) {
	switch p := p.(type) {
	case *ast.ValueSpec:
		for j, v := range p.Values {
			if v == n && j < len(p.Names) {
				c.store(fl, p.Names[j])
			}
		}
		if len(p.Values) == 1 && len(p.Names) > 1 {
			for _, name := range p.Names {
				c.store(fl, name)
			}
		}
	case *ast.RangeStmt:
		if p.X == n {
			for _, e := range []ast.Expr{p.Key, p.Value} {
				if e != nil {
					c.store(fl, e)
				}
			}
		}
	}
}

// isLHS reports whether n is the target of an assignment.
func (c *checker) isLHS(n ast.Node) bool {
	switch p := c.parent[n].(type) {
	case *ast.AssignStmt:
		for _, l := range p.Lhs {
			if l == n {
				return true
			}
		}
	case *ast.ParenExpr:
		return c.isLHS(p)
	case *ast.IncDecStmt:
		return true
	}
	return false
}

// assign follows the value n through the assignment a.
func (c *checker) assign(fl *flow, a *ast.AssignStmt, n ast.Node) {
	if len(a.Lhs) != len(a.Rhs) {
		if len(a.Rhs) == 1 && a.Rhs[0] == n {
			for _, l := range a.Lhs {
				c.store(fl, l)
			}
		}
		return
	}
	for j, r := range a.Rhs {
		if r == n {
			c.store(fl, a.Lhs[j])
		}
	}
}

// store follows the value into lhs: a local variable, or a field or
// element of one, holds it; anything else keeps it.
func (c *checker) store(fl *flow, lhs ast.Expr) {
	lhs = ast.Unparen(lhs)
	if id, ok := lhs.(*ast.Ident); ok {
		if id.Name == "_" {
			return
		}
		if v, ok := c.info.ObjectOf(id).(*types.Var); ok && c.isLocal(fl, v) {
			c.addVar(fl, v)
			return
		}
		fl.kept = true
		return
	}
	root := rootVar(c.info, lhs)
	if root == nil || !c.isLocal(fl, root) || !c.fresh(fl, root) {
		fl.kept = true // stored into what the function did not make
		return
	}
	c.addVar(fl, root)
}

// rootVar is the variable a field, element or dereference is taken from:
// v in v.a.b, v[i].c, (*v).d; nil where there is none.
func rootVar(info *types.Info, e ast.Expr) *types.Var {
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.SelectorExpr:
			if _, ok := info.Uses[x.Sel].(*types.Var); !ok {
				return nil // a package's variable, or a method
			}
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.StarExpr:
			e = x.X
		case *ast.TypeAssertExpr:
			e = x.X
		case *ast.Ident:
			v, _ := info.Uses[x].(*types.Var)
			return v
		default:
			return nil
		}
	}
}

// fresh reports whether what the local variable v holds was made in the
// function, so that storing into it stores into nothing outside: v is a
// value of struct or array type, or every value it is given is a
// composite literal, new, make, or a client or Transport the function
// makes.
func (c *checker) fresh(fl *flow, v *types.Var) bool {
	switch v.Type().Underlying().(type) {
	case *types.Struct, *types.Array:
		return true
	}
	var values []ast.Expr
	if def := c.defs[v]; def != nil {
		switch p := c.parent[def].(type) {
		case *ast.AssignStmt:
			values = append(values, assigned(p, def)...)
		case *ast.ValueSpec:
			if len(p.Values) == 0 {
				break // the zero value
			}
			for j, name := range p.Names {
				if name == def && j < len(p.Values) {
					values = append(values, p.Values[j])
				}
			}
			if len(values) == 0 {
				return false
			}
		default:
			return false
		}
	}
	for _, id := range c.uses[v] {
		if a, ok := c.parent[id].(*ast.AssignStmt); ok && c.isLHS(id) {
			values = append(values, assigned(a, id)...)
		}
	}
	for _, e := range values {
		if e == nil || !c.made(e) {
			return false
		}
	}
	return true
}

// assigned is what the assignment a gives lhs; nil for a tuple.
func assigned(a *ast.AssignStmt, lhs ast.Node) []ast.Expr {
	if len(a.Lhs) != len(a.Rhs) {
		return []ast.Expr{nil}
	}
	for j, l := range a.Lhs {
		if l == lhs {
			return []ast.Expr{a.Rhs[j]}
		}
	}
	return nil
}

// made reports whether e makes a new value: a composite literal, its
// address, new, make, or one of the sites of this analyzer.
func (c *checker) made(e ast.Expr) bool {
	switch x := ast.Unparen(e).(type) {
	case *ast.CompositeLit:
		return true
	case *ast.UnaryExpr:
		_, ok := ast.Unparen(x.X).(*ast.CompositeLit)
		return x.Op == token.AND && ok
	case *ast.CallExpr:
		if id, ok := ast.Unparen(x.Fun).(*ast.Ident); ok {
			if b, ok := c.info.Uses[id].(*types.Builtin); ok {
				return b.Name() == "new" || b.Name() == "make"
			}
		}
		return c.siteOfCall(x).kind != kindNone
	}
	return false
}

// method follows the value into a call of a method on it.
func (c *checker) method(fl *flow, call *ast.CallExpr, sel *ast.SelectorExpr) {
	fn, ok := c.info.Uses[sel.Sel].(*types.Func)
	if !ok {
		return // a field of func type, called: the value is not passed
	}
	if _, ok := c.parent[call].(*ast.GoStmt); ok {
		fl.kept = true
		return
	}
	switch {
	case analysisutil.IsReleaseMethod(fn):
		fl.releases = append(fl.releases, call)
		return
	case isKnown(fn):
		// net/http's and Resty's own methods keep no receiver; a result of
		// the client's type (a builder's), a request or the client inside
		// still holds it.
		if t := c.info.TypeOf(call); t != nil && holdsPool(t, fn) {
			c.push(fl, call)
		}
		return
	}
	sig := fn.Type().(*types.Signature)
	if recv := sig.Recv(); recv == nil || types.IsInterface(recv.Type()) {
		fl.kept = true // an interface's method: no fact
		return
	}
	switch f, ok := c.keeps(fn); {
	case !ok || f.Mask&1 != 0:
		fl.kept = true
	case f.Returns&1 != 0:
		c.push(fl, call) // its result holds the receiver
	}
}

// argument follows the value n into the call as an argument.
func (c *checker) argument(fl *flow, call *ast.CallExpr, n ast.Node) {
	if _, ok := c.parent[call].(*ast.GoStmt); ok {
		fl.kept = true
		return
	}
	fun := ast.Unparen(call.Fun)
	if tv, ok := c.info.Types[fun]; ok && tv.IsType() {
		c.push(fl, call) // a conversion
		return
	}
	if id, ok := fun.(*ast.Ident); ok {
		if b, ok := c.info.Uses[id].(*types.Builtin); ok {
			switch b.Name() {
			case "append":
				c.push(fl, call)
			case "len", "cap", "print", "println", "delete", "close", "clear", "min", "max":
			default:
				fl.kept = true
			}
			return
		}
	}
	fn, ok := typeutil.Callee(c.info, call).(*types.Func)
	if !ok {
		fl.kept = true // a func value: no fact
		return
	}
	fn = fn.Origin()
	switch {
	case analysisutil.IsCleanup(c.info, call):
		return // the test holds its function until it ends, then runs it
	case c.joinedByGo(call):
		return // wg.Go(f), then wg.Wait(): f's goroutine ends before the function returns
	case isRestyFunc(fn, "NewWithClient"):
		c.push(fl, call) // the Resty client holds it
		return
	case isResty(fn) && fn.Name() == "SetTransport":
		if sel, ok := fun.(*ast.SelectorExpr); ok {
			c.store(fl, sel.X) // the Resty client holds it
			c.push(fl, call)
			return
		}
	}
	c.passedTo(fl, call, fn, n)
}

// passedTo follows the value n into the call of fn, a function or a
// method, as its argument, by fn's fact: kept where fn keeps that
// parameter, or has no fact (an interface's method, a function of
// the standard library) and is no wrapper; followed into the result where that
// holds it.
func (c *checker) passedTo(fl *flow, call *ast.CallExpr, fn *types.Func, n ast.Node) {
	sig := fn.Type().(*types.Signature)
	if recv := sig.Recv(); recv != nil && types.IsInterface(recv.Type()) {
		fl.kept = true
		return
	}
	i := 0
	for j, a := range call.Args {
		if a == n {
			i = j
		}
	}
	if sig.Variadic() && i >= sig.Params().Len()-1 {
		i = sig.Params().Len() - 1
	}
	bit := uint64(1) << (i + 1)
	switch f, ok := c.keeps(fn); {
	case !ok && wraps(sig, i):
		c.push(fl, call) // a wrapper's result holds it
	case !ok || i+1 >= 64 || f.Mask&bit != 0:
		fl.kept = true
	case f.Returns&bit != 0:
		c.push(fl, call) // its result holds it
	}
}

// wraps reports whether a function without a fact, given the value as
// its parameter i, is taken as a wrapper, whose result holds the value
// and which keeps it nowhere else: a package-level function that takes it
// as an http.RoundTripper, an *http.Transport or an *http.Client, and
// returns an *http.Client or a value with a RoundTrip method (an
// http.RoundTripper, a Transport of its own), an error beside it or not,
// as otelhttp.NewTransport(base) does.
func wraps(sig *types.Signature, i int) bool {
	params, results := sig.Params(), sig.Results()
	if sig.Recv() != nil || i >= params.Len() || results.Len() == 0 || results.Len() > 2 ||
		results.Len() == 2 && !types.Identical(results.At(1).Type(), types.Universe.Lookup("error").Type()) {
		return false
	}
	t := params.At(i).Type()
	if s, ok := t.(*types.Slice); ok && sig.Variadic() && i == params.Len()-1 {
		t = s.Elem()
	}
	if !analysisutil.IsNamed(t, "net/http", "RoundTripper") && !analysisutil.IsNamed(t, "net/http", "Transport") &&
		!analysisutil.IsNamed(t, "net/http", "Client") {
		return false
	}
	r := results.At(0).Type()
	m, _, _ := types.LookupFieldOrMethod(r, true, nil, "RoundTrip")
	_, roundTrips := m.(*types.Func)
	return roundTrips || analysisutil.IsNamed(r, "net/http", "Client")
}

// holds reports whether a value of type t may hold a connection pool:
// anything but a basic type.
func holds(t types.Type) bool {
	if t == nil {
		return true
	}
	_, basic := t.Underlying().(*types.Basic)
	return !basic
}

// holdsPool reports whether the result t of the known method fn holds the
// pool of its receiver: the receiver's own type (a builder's setter), a
// Resty request, the http.Client or Transport inside.
func holdsPool(t types.Type, fn *types.Func) bool {
	if tuple, ok := t.(*types.Tuple); ok {
		for v := range tuple.Variables() {
			if holdsPool(v.Type(), fn) {
				return true
			}
		}
		return false
	}
	recv := fn.Type().(*types.Signature).Recv().Type()
	return types.Identical(t, recv) ||
		isNamedIn(t, analysisutil.RestyPaths, "Request") || isNamedIn(t, analysisutil.RestyPaths, "Client") ||
		analysisutil.IsNamed(t, "net/http", "Client") || analysisutil.IsNamed(t, "net/http", "Transport") ||
		analysisutil.IsNamed(t, "net/http", "RoundTripper")
}

// isKnown reports whether fn is a method of net/http's Client or
// Transport, of Resty's Client or Request, or of go-retryablehttp's
// Client: methods that keep no receiver.
func isKnown(fn *types.Func) bool {
	recv := fn.Type().(*types.Signature).Recv()
	if recv == nil {
		return false
	}
	t := recv.Type()
	return analysisutil.IsNamed(t, "net/http", "Client") || analysisutil.IsNamed(t, "net/http", "Transport") ||
		isNamedIn(t, analysisutil.RestyPaths, "Client") || isNamedIn(t, analysisutil.RestyPaths, "Request") ||
		analysisutil.IsNamed(t, retryablePath, "Client")
}

func isNamedIn(t types.Type, paths map[string]bool, name string) bool {
	for p := range paths {
		if analysisutil.IsNamed(t, p, name) {
			return true
		}
	}
	return false
}

// isResty reports whether fn is one of Resty's, v2 or v3.
func isResty(fn *types.Func) bool {
	return fn.Pkg() != nil && analysisutil.RestyPaths[fn.Pkg().Path()]
}

// isRestyFunc reports whether fn is Resty's package-level function name.
func isRestyFunc(fn *types.Func, name string) bool {
	return isResty(fn) && fn.Name() == name && fn.Type().(*types.Signature).Recv() == nil
}

func isReleased(info *types.Info, parent map[ast.Node]ast.Node, r ast.Node) bool {
	at, _ := analysisutil.ReleasedAt(info, parent, r)
	return at != nil
}
