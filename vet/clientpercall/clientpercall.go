package clientpercall

import (
	_ "embed"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/connleak/connleak/vet/internal/analysisutil"
)

//go:embed doc.go
var doc string

// Analyzer is the client-per-call check; see the package doc.
var Analyzer = &analysis.Analyzer{
	Name:      "clientpercall",
	Doc:       analysisutil.MustExtractDoc(doc, "clientpercall"),
	URL:       analysisutil.DocBase + analysisutil.CheckClientPerCall,
	Requires:  []*analysis.Analyzer{inspect.Analyzer, analysisutil.Directives},
	Run:       runClientPerCall,
	FactTypes: []analysis.Fact{new(keepsFact)},
}

// kind is what a site makes.
type kind int

const (
	kindNone      kind = iota
	kindTransport      // an http.Transport: a literal, or a Clone
	kindClient         // an http.Client literal
	kindResty          // a Resty client
	kindRetryable      // a go-retryablehttp client
)

var what = [...]string{
	kindTransport: "an http.Transport", kindClient: "an http.Client with a Transport of its own",
	kindResty: "a Resty client", kindRetryable: "a retryablehttp client",
}

// retryablePath is go-retryablehttp's import path.
const retryablePath = "github.com/hashicorp/go-retryablehttp"

// A site is an expression that makes a Transport or a client, in a
// function.
type site struct {
	expr ast.Expr
	kind kind
	pool bool // whether it makes a connection pool of its own
	// keepAlivesOff is what DisableKeepAlives says of the Transport it
	// makes: Trusted where it is known only at run time, so that the
	// Transport is a pool unless that value is true.
	keepAlivesOff analysisutil.Setting
	fn            ast.Node
	inLoop        bool
	flow          *flow
}

func runClientPerCall(pass *analysis.Pass) (any, error) {
	if !analysisutil.HasSyntax(pass) || analysisutil.InGOROOT(pass) {
		// A dependency from export data: no facts from it. The standard
		// library, as connleak vet's driver has it (from export data): it
		// is not the code being checked, and go vet runs this analyzer on
		// each of its packages for facts.
		return nil, nil
	}
	c := newChecker(pass)
	c.computeFacts()

	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	assigns := analysisutil.FieldAssignments(ins, pass.TypesInfo)
	find := func() []*site {
		var sites []*site
		ins.WithStack([]ast.Node{(*ast.CompositeLit)(nil), (*ast.CallExpr)(nil)}, func(n ast.Node, push bool, stack []ast.Node) bool {
			if !push {
				return true
			}
			if s := c.site(n.(ast.Expr), stack, assigns); s != nil {
				sites = append(sites, s)
			}
			return true
		})
		return sites
	}
	sites := c.findConstructors(find)
	c.exportFacts()
	for _, pool := range pools(sites) {
		c.judge(pool)
	}
	return nil, nil
}

// site is what the expression on top of stack makes, followed through
// its function; nil where it makes no Transport or client, or makes it in
// a package variable, once.
func (c *checker) site(n ast.Expr, stack []ast.Node, assigns map[*types.Var][]analysisutil.FieldAssign) *site {
	s := &site{expr: n}
	switch n := n.(type) {
	case *ast.CompositeLit:
		switch t := c.info.TypeOf(n); {
		case analysisutil.IsNamed(t, "net/http", "Transport"):
			s.kind, s.keepAlivesOff = kindTransport, analysisutil.FieldSetting(c.info, n, "DisableKeepAlives")
			s.pool = s.keepAlivesOff != analysisutil.Set
		case analysisutil.IsNamed(t, "net/http", "Client"):
			s.kind = kindClient
		}
	case *ast.CallExpr:
		m := c.siteOfCall(n)
		s.kind, s.keepAlivesOff = m.kind, m.keepAlivesOff
		if analysisutil.IsNew(c.info, n, "net/http", "Transport") {
			s.kind = kindTransport // &http.Transport{}
		}
		s.pool = s.kind != kindNone
		if fn, ok := analysisutil.Callee(c.pass, n).(*types.Func); ok && isRestyFunc(fn, "NewWithClient") {
			s.pool = len(n.Args) == 1 && c.bareClient(n.Args[0], assigns)
		}
	}
	if s.kind == kindNone {
		return nil
	}
	if v := analysisutil.BoundVar(c.info, stack); v != nil {
		switch s.kind {
		case kindTransport:
			for _, a := range assigns[v] {
				if a.Field != "DisableKeepAlives" {
					continue
				}
				switch analysisutil.ValueSetting(c.info, a.Value) {
				case analysisutil.Set:
					s.pool = false // set later: it keeps no connection
				case analysisutil.Trusted:
					s.keepAlivesOff = analysisutil.Trusted
				}
			}
		case kindRetryable:
			s.pool = !c.setsHTTPClient(v)
		}
	}
	s.fn, s.inLoop = c.enclosing(n)
	if s.fn == nil {
		return nil // a package variable: made once
	}
	s.flow = newFlow(s.fn)
	c.push(s.flow, n)
	c.follow(s.flow)
	return s
}

// pools groups the sites by the pool they make, in the order of their
// first site: one pool, one finding. A Transport given to a client made
// here is the client's pool.
func pools(sites []*site) [][]*site {
	group := make([]int, len(sites))
	var find func(int) int
	find = func(i int) int {
		if group[i] != i {
			group[i] = find(group[i])
		}
		return group[i]
	}
	byExpr := map[ast.Node]int{}
	byVar := map[*types.Var]int{}
	for i, s := range sites {
		group[i] = i
		byExpr[s.expr] = i
	}
	for i, s := range sites {
		for n := range s.flow.nodes {
			if j, ok := byExpr[n]; ok && j != i {
				group[find(j)] = find(i)
			}
		}
		for v := range s.flow.vars {
			if j, ok := byVar[v]; ok {
				group[find(j)] = find(i)
			} else {
				byVar[v] = i
			}
		}
	}
	byRoot := map[int][]*site{}
	for i, s := range sites {
		byRoot[find(i)] = append(byRoot[find(i)], s)
	}
	roots := make([]int, 0, len(byRoot))
	for r := range byRoot {
		roots = append(roots, r)
	}
	sort.Ints(roots)
	var out [][]*site
	for _, r := range roots {
		out = append(out, byRoot[r])
	}
	return out
}

// judge reports the pool made by the sites, unless it is made once, kept,
// or released before the function returns.
func (c *checker) judge(members []*site) {
	var top, made *site // where to report, and the site that makes the pool
	inLoop, kept, unless := false, false, ""
	for _, s := range members {
		kept = kept || s.flow.kept || s.flow.returned
		if top == nil || s.kind > top.kind {
			top = s
		}
		if s.pool {
			if s.keepAlivesOff == analysisutil.Trusted {
				unless = ", unless DisableKeepAlives is true"
			}
			inLoop = inLoop || s.inLoop
			if made == nil {
				made = s
			}
		}
	}
	if made == nil || c.released(members) {
		return
	}
	if analysisutil.ForTestServer(c.pass, c.path(made.expr)) {
		return // one pool a test makes for its own server, which it closes
	}
	once, perIteration := c.runsOnce(made.fn)
	// Where the pool is made says how often: a Client made in a handler
	// on a Transport main made shares main's.
	var where string
	switch {
	case inLoop:
		where = "inside a loop"
	case isHandler(c.pass, made.fn):
		where = "inside an HTTP handler"
	case once && !perIteration, kept:
		return
	case once:
		where = "in a subtest run per iteration of a loop"
	default:
		where = "and dropped when the function returns"
	}
	analysisutil.Report(c.pass, analysisutil.CheckClientPerCall, top.expr.Pos(), nil,
		"%s made per call%s (%s): a connection pool nothing shares%s", what[top.kind], c.madeBy(top.expr), where, unless)
}

// madeBy names the constructor the call e is, " by newClient"; "" for
// any other site.
func (c *checker) madeBy(e ast.Expr) string {
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return ""
	}
	if fn, ok := analysisutil.Callee(c.pass, call).(*types.Func); ok && knownSite(fn) == kindNone && c.makes(fn).kind != kindNone {
		return " by " + fn.Name()
	}
	return ""
}

// path is the nodes around n, from its file down to n.
func (c *checker) path(n ast.Node) []ast.Node {
	var up []ast.Node
	for ; n != nil; n = c.parent[n] {
		up = append(up, n)
	}
	slices.Reverse(up)
	return up
}

// released reports whether the function releases the pool on its way
// out: CloseIdleConnections on the Transport or a client, or Resty v3's
// Close, deferred, or called later in a block around each site that makes
// the pool, with no loop in between.
func (c *checker) released(members []*site) bool {
	for _, s := range members {
		for _, r := range s.flow.releases {
			ok := true
			for _, m := range members {
				if m.pool && !c.releases(r, m) {
					ok = false
				}
			}
			if ok {
				return true
			}
		}
	}
	return false
}

// releases reports whether the release r, a call or a method value
// handed to Cleanup, releases what the site m makes: on the way out of
// the function that makes it (analysisutil.ReleasedAt), or later in a
// block around m with no loop in between.
func (c *checker) releases(r ast.Node, m *site) bool {
	if at, byCleanup := analysisutil.ReleasedAt(c.info, c.parent, r); at != nil && byCleanup {
		// At the test's end, not the function's: a helper called many
		// times holds that many pools until then.
		if once, _ := c.runsOnce(m.fn); !once {
			return false
		}
	}
	return analysisutil.ReleasesMade(c.info, c.parent, r, m.fn, m.expr, m.expr.End())
}

// enclosing is the innermost function around n, and whether n is where a
// loop of that function repeats: its body, or a for's condition or post
// statement (a range's expression, or a for's init, runs once).
func (c *checker) enclosing(n ast.Node) (fn ast.Node, inLoop bool) {
	for child, p := n, c.parent[n]; p != nil; child, p = p, c.parent[p] {
		switch p.(type) {
		case *ast.FuncLit, *ast.FuncDecl:
			return p, inLoop
		}
		inLoop = inLoop || analysisutil.Repeats(p, child)
	}
	return nil, false
}

// siteOfCall is what the call makes: a Transport cloned, a Resty
// client, a go-retryablehttp one, or what a constructor makes.
func (c *checker) siteOfCall(call *ast.CallExpr) ctor {
	fn, ok := analysisutil.Callee(c.pass, call).(*types.Func)
	if !ok {
		return ctor{}
	}
	if k := knownSite(fn); k != kindNone {
		return ctor{kind: k}
	}
	return c.makes(fn)
}

// knownSite is what a call of fn makes, by its name: a Transport cloned, a
// Resty client, or a go-retryablehttp one.
func knownSite(fn *types.Func) kind {
	sig := fn.Type().(*types.Signature)
	switch {
	case fn.Name() == "Clone" && sig.Recv() != nil && analysisutil.IsNamed(sig.Recv().Type(), "net/http", "Transport"):
		return kindTransport
	case isResty(fn) && sig.Recv() == nil && strings.HasPrefix(fn.Name(), "New") && sig.Results().Len() == 1 &&
		isNamedIn(sig.Results().At(0).Type(), analysisutil.RestyPaths, "Client"):
		return kindResty
	case fn.Pkg() != nil && fn.Pkg().Path() == retryablePath && fn.Name() == "NewClient" && sig.Recv() == nil:
		return kindRetryable // its HTTPClient, go-cleanhttp's, has a Transport of its own
	}
	return kindNone
}

// bareClient reports whether e, the argument of resty.NewWithClient, is
// an http.Client the function makes without a Transport: Resty then makes
// one for it.
func (c *checker) bareClient(e ast.Expr, assigns map[*types.Var][]analysisutil.FieldAssign) bool {
	e = ast.Unparen(e)
	if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
		e = ast.Unparen(u.X)
	}
	if lit, ok := e.(*ast.CompositeLit); ok {
		return analysisutil.FieldSetting(c.info, lit, "Transport") == analysisutil.Unset
	}
	id, ok := e.(*ast.Ident)
	if !ok {
		return false
	}
	v, _ := c.info.Uses[id].(*types.Var)
	if v == nil || v.Parent() == v.Pkg().Scope() {
		return false // a package's client: Resty gives it a Transport once
	}
	def := c.defs[v]
	if def == nil {
		return false
	}
	for _, a := range assigns[v] {
		if a.Field == "Transport" {
			return false
		}
	}
	var value ast.Expr
	switch p := c.parent[def].(type) {
	case *ast.AssignStmt:
		if vs := assigned(p, def); len(vs) == 1 {
			value = vs[0]
		}
	case *ast.ValueSpec:
		for j, name := range p.Names {
			if name == def && j < len(p.Values) {
				value = p.Values[j]
			}
		}
	}
	if value == nil {
		return false
	}
	if u, ok := ast.Unparen(value).(*ast.UnaryExpr); ok && u.Op == token.AND {
		value = u.X
	}
	lit, ok := ast.Unparen(value).(*ast.CompositeLit)
	return ok && analysisutil.IsNamed(c.info.TypeOf(lit), "net/http", "Client") &&
		analysisutil.FieldSetting(c.info, lit, "Transport") == analysisutil.Unset
}

// setsHTTPClient reports whether the function sets the HTTPClient of v,
// a go-retryablehttp client, or that HTTPClient's Transport, to a value
// that is not made of v's own: the pool NewClient made for it is then
// replaced before its first request. Its Transport wrapped and set back
// (otelhttp.NewTransport(c.HTTPClient.Transport)) is still its pool.
func (c *checker) setsHTTPClient(v *types.Var) bool {
	for _, id := range c.uses[v] {
		sel, ok := c.parent[id].(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "HTTPClient" {
			continue
		}
		lhs := ast.Node(sel)
		if tr, ok := c.parent[sel].(*ast.SelectorExpr); ok && tr.Sel.Name == "Transport" {
			lhs = tr
		}
		a, ok := c.parent[lhs].(*ast.AssignStmt)
		if !ok || !c.isLHS(lhs) {
			continue
		}
		for _, value := range assigned(a, lhs) {
			if value != nil && !c.mentions(value, v) {
				return true
			}
		}
	}
	return false
}

// mentions reports whether e uses the variable v.
func (c *checker) mentions(e ast.Expr, v *types.Var) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && c.info.Uses[id] == v {
			found = true
		}
		return !found
	})
	return found
}

// isHandler reports whether fn takes an http.ResponseWriter and an
// *http.Request.
func isHandler(pass *analysis.Pass, fn ast.Node) bool {
	var ft *ast.FuncType
	switch fn := fn.(type) {
	case *ast.FuncLit:
		ft = fn.Type
	case *ast.FuncDecl:
		ft = fn.Type
	}
	var w, r bool
	for _, f := range ft.Params.List {
		t := pass.TypesInfo.TypeOf(f.Type)
		w = w || analysisutil.IsNamed(t, "net/http", "ResponseWriter")
		_, ptr := t.(*types.Pointer)
		r = r || ptr && analysisutil.IsNamed(t, "net/http", "Request")
	}
	return w && r
}

// runsOnce reports whether fn runs once, as main does: main, init, a
// test, benchmark, fuzz target or example, or a func literal handed to
// (*testing.T).Run or (*testing.B).Run in a function that runs once; and
// whether one of those Runs stands in a loop, so that a subtest runs per
// iteration.
func (c *checker) runsOnce(fn ast.Node) (once, perIteration bool) {
	for depth := 0; depth < 100; depth++ { // a chain of nested subtests
		if isMainOrInit(fn) {
			return true, perIteration
		}
		lit, ok := fn.(*ast.FuncLit)
		if !ok {
			return false, false
		}
		var n ast.Node = lit
		for {
			if p, ok := c.parent[n].(*ast.ParenExpr); ok {
				n = p
				continue
			}
			break
		}
		call, ok := c.parent[n].(*ast.CallExpr)
		if !ok || !isSubtest(c.info, call) || call.Args[1] != n {
			return false, false
		}
		var inLoop bool
		fn, inLoop = c.enclosing(call)
		perIteration = perIteration || inLoop
		if fn == nil {
			return false, false
		}
	}
	return false, false
}

// isSubtest reports whether call is t.Run(name, f) of a *testing.T or a
// *testing.B: it runs f as a subtest, once (a benchmark's, a few times,
// as the benchmark function itself is run).
func isSubtest(info *types.Info, call *ast.CallExpr) bool {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || len(call.Args) != 2 {
		return false
	}
	fn, ok := info.Uses[sel.Sel].(*types.Func)
	if !ok || fn.Name() != "Run" {
		return false
	}
	recv := fn.Type().(*types.Signature).Recv()
	return recv != nil && (analysisutil.IsNamed(recv.Type(), "testing", "T") || analysisutil.IsNamed(recv.Type(), "testing", "B"))
}

// isMainOrInit reports whether fn runs once: main, init, or a test,
// benchmark, fuzz target or example.
func isMainOrInit(fn ast.Node) bool {
	d, ok := fn.(*ast.FuncDecl)
	if !ok || d.Recv != nil {
		return false
	}
	name := d.Name.Name
	return name == "main" || name == "init" ||
		strings.HasPrefix(name, "Test") || strings.HasPrefix(name, "Benchmark") || strings.HasPrefix(name, "Fuzz") || strings.HasPrefix(name, "Example")
}
