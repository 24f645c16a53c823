package clientpercall

import (
	"go/ast"
	"go/types"

	"github.com/connleak/connleak/vet/internal/analysisutil"
)

// A constructor is a function that makes a pool and returns it, kept
// nowhere else and not released: newClient() { return &http.Client{Transport:
// &http.Transport{}} }, or an SDK's NewClient. A call of one is a site as a
// literal is, so that a handler that calls newClient() and drops what it
// returns makes a pool per call. Its kind is keepsFact's Makes, across
// packages.

// makes is the kind of pool a call of fn makes: none but for a
// constructor.
func (c *checker) makes(fn *types.Func) kind {
	if fn.Pkg() == c.pass.Pkg {
		return c.ctors[fn]
	}
	var f keepsFact
	if c.pass.ImportObjectFact(fn, &f) {
		return kind(f.Makes)
	}
	return kindNone
}

// findConstructors finds the package's constructors, and returns its
// sites with their calls among them. A constructor's call may make its
// caller one (newService() { return &service{c: newClient()} }), so the
// sites are found again until no constructor is new, a few times at most.
func (c *checker) findConstructors(find func() []*site) []*site {
	sites := find()
	for range 8 {
		changed := false
		for _, pool := range pools(sites) {
			if fn, k := c.constructs(pool); fn != nil && c.ctors[fn] != k {
				c.ctors[fn] = k
				changed = true
			}
		}
		if !changed {
			break
		}
		sites = find()
	}
	return sites
}

// constructs is the function that makes the pool of members and returns
// it, and its kind; nil where the pool is kept, released, not returned, made
// in a func literal, or may be none (DisableKeepAlives known at run time).
func (c *checker) constructs(members []*site) (*types.Func, kind) {
	var top, made *site
	returned := false
	for _, s := range members {
		if s.flow.kept {
			return nil, kindNone
		}
		returned = returned || s.flow.returned
		if top == nil || s.kind > top.kind {
			top = s
		}
		if s.pool && made == nil {
			made = s
		}
	}
	if made == nil || !returned || made.keepAlivesOff == analysisutil.Trusted || c.released(members) {
		return nil, kindNone
	}
	decl, ok := made.fn.(*ast.FuncDecl)
	if !ok {
		return nil, kindNone
	}
	fn, _ := c.info.Defs[decl.Name].(*types.Func)
	return fn, top.kind
}
