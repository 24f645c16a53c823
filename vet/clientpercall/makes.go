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

// A ctor is what a call of a constructor makes: the kind of its pool, and
// what DisableKeepAlives says of it (Trusted where it is known only at run
// time, so that the pool is none where it is true).
type ctor struct {
	kind          kind
	keepAlivesOff analysisutil.Setting
}

// makes is what a call of fn makes: nothing but for a constructor.
func (c *checker) makes(fn *types.Func) ctor {
	if fn.Pkg() == c.pass.Pkg {
		return c.ctors[fn]
	}
	var f keepsFact
	if !c.pass.ImportObjectFact(fn, &f) {
		return ctor{}
	}
	m := ctor{kind: kind(f.Makes)}
	if f.Unless {
		m.keepAlivesOff = analysisutil.Trusted
	}
	return m
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
			if fn, m := c.constructs(pool); fn != nil && c.ctors[fn] != m {
				c.ctors[fn] = m
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
// it, and what it makes; nil where the pool is kept, released, not
// returned, or made in a func literal. A pool that is none where
// DisableKeepAlives, known only at run time, is true is made so by the
// constructor's call too: its caller's finding says so.
func (c *checker) constructs(members []*site) (*types.Func, ctor) {
	var top, made *site
	returned, keepAlivesOff := false, analysisutil.Unset
	for _, s := range members {
		if s.flow.kept {
			return nil, ctor{}
		}
		returned = returned || s.flow.returned
		if top == nil || s.kind > top.kind {
			top = s
		}
		if s.pool && made == nil {
			made = s
		}
		if s.pool && s.keepAlivesOff == analysisutil.Trusted {
			keepAlivesOff = analysisutil.Trusted
		}
	}
	if made == nil || !returned || c.released(members) {
		return nil, ctor{}
	}
	decl, ok := made.fn.(*ast.FuncDecl)
	if !ok {
		return nil, ctor{}
	}
	fn, _ := c.info.Defs[decl.Name].(*types.Func)
	return fn, ctor{kind: top.kind, keepAlivesOff: keepAlivesOff}
}
