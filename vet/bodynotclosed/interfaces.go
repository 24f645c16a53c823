package bodynotclosed

import (
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// An impls is what the implementations of an interface method that the
// package can see return: the results that every one of them returns as
// an open body, and those that some return open with an error; and the
// parameters, the receiver first, that every one hands an open body to.
type impls struct {
	returns, openOnError uint8
	hands                uint64
}

// exportInterfaces tells the packages that import this one what the
// implementations it sees of its interfaces' methods do, where all of them
// return or hand on an open body: an importer sees the package through its
// export data, without its unexported types (a Service whose one
// implementation is its unexported service).
func (s *state) exportInterfaces() {
	scope := s.pass.Pkg.Scope()
	for _, name := range scope.Names() {
		tn, ok := scope.Lookup(name).(*types.TypeName)
		if !ok || tn.IsAlias() {
			continue
		}
		named, ok := tn.Type().(*types.Named)
		iface, isIface := tn.Type().Underlying().(*types.Interface)
		if !ok || !isIface || named.TypeParams().Len() > 0 {
			continue
		}
		for m := range iface.ExplicitMethods() {
			if !opens(m.Signature()) {
				continue
			}
			if in := s.implsOf(implsKey{named, m.Name(), false}, m); in.returns != 0 || in.hands != 0 {
				s.pass.ExportObjectFact(m, &ownsFact{Returns: in.returns, OpenOnError: in.openOnError, Hands: in.hands})
			}
		}
	}
}

// opens reports whether a function of signature sig may return an open
// body, or hand one to a func it is given.
func opens(sig *types.Signature) bool {
	for v := range sig.Results().Variables() {
		if mayCarry(v.Type()) {
			return true
		}
	}
	for v := range sig.Params().Variables() {
		if fn, ok := v.Type().Underlying().(*types.Signature); ok {
			for p := range fn.Params().Variables() {
				if mayCarry(p.Type()) {
					return true
				}
			}
		}
	}
	return false
}

// implsKey is an interface method, as seen from a test file or not.
type implsKey struct {
	iface  types.Type
	method string
	inTest bool
}

// A candidate is a named type that may implement an interface.
type candidate struct {
	named  *types.Named
	inTest bool // of the tests alone: a mock, as likely as not
}

// interfaceSource reports whether the call of an interface method is a
// source: where each implementation the package can see returns an open
// body (an APIClient whose one Client.Head wraps http.Client.Head). The
// implementations are the named types of the package and of the packages
// of its module it imports, directly or not; one the package cannot see,
// in a package it does not import, does not count. Those declared in test
// files, mocks as likely as not, count only for a call in a test file,
// which may be handed one. A method with no implementation seen is no
// source.
func (s *state) interfaceSource(call *ssa.Call) (source, bool) {
	c := call.Common()
	res := c.Signature().Results()
	carries := false
	for v := range res.Variables() {
		carries = carries || mayCarry(v.Type())
	}
	if !carries {
		return source{}, false
	}
	in := s.implsOf(implsKey{c.Value.Type(), c.Method.Name(), isTestFile(s.pass.Fset.Position(call.Pos()).Filename)}, c.Method)
	if in.returns == 0 {
		return source{}, false
	}
	rs := in.returns
	if _, ok := call.Type().(*types.Tuple); !ok {
		rs = 0
	}
	src := source{call: call, results: rs, openOnError: in.openOnError != 0}
	src.raw = isRestyResponse(resultType(call, rs))
	return src, true
}

// implsOf is what the implementations of method m of the interface k.iface
// return (see interfaceSource), worked out once a pass. An implementation
// of the package not yet summarized, in a cycle with the call that asks
// (a wrapper that calls the method it implements, on what it wraps),
// returns what the others do: the answer is then not kept, and asked
// again once it is summarized.
func (s *state) implsOf(k implsKey, m *types.Func) impls {
	if in, ok := s.impls[k]; ok {
		return in
	}
	var in impls
	found, pending := false, false
	for _, obj := range s.implementations(k, m) {
		fact, wait := s.factOf(obj)
		if obj == m && fact == (ownsFact{}) {
			continue // no word from the interface's package
		}
		if wait {
			pending = true
			continue
		}
		if !found {
			in.returns, in.hands = fact.Returns, fact.Hands
		}
		found = true
		in.returns &= fact.Returns
		in.hands &= fact.Hands
		in.openOnError |= fact.OpenOnError
	}
	in.openOnError &= in.returns
	if !pending {
		s.impls[k] = in
	}
	return in
}

// implementations are the methods m of the types that implement k.iface
// and that a call as k sees: the candidates, and net/http's Client; and m
// itself, where its interface is of another package of the module, for the
// implementations that package sees (see exportInterfaces).
func (s *state) implementations(k implsKey, m *types.Func) []*types.Func {
	iface, ok := k.iface.Underlying().(*types.Interface)
	if !ok {
		return nil
	}
	cands := s.candidates()
	if c := httpClient(m); c != nil {
		cands = append(slices.Clip(cands), candidate{named: c})
	}
	var objs []*types.Func
	if m.Pkg() != nil && m.Pkg() != s.pass.Pkg && s.inModule(m.Pkg()) {
		objs = append(objs, m) // the implementations its package sees, as its fact tells
	}
	for _, cand := range cands {
		if cand.inTest && !k.inTest {
			continue
		}
		t := types.Type(cand.named)
		if !types.Implements(t, iface) {
			if t = types.NewPointer(t); !types.Implements(t, iface) {
				continue
			}
		}
		fn, _, _ := types.LookupFieldOrMethod(t, true, m.Pkg(), m.Name())
		if obj, ok := fn.(*types.Func); ok {
			objs = append(objs, obj)
		}
	}
	return objs
}

// candidates are the named types, not interfaces nor generic, of the
// package and of the packages of its module that it imports, directly or
// not: where an interface's implementations are looked for. Those declared
// in a test file, or in a package that only the test files import (a
// package of mocks for the tests), are marked inTest.
func (s *state) candidates() []candidate {
	if s.cands != nil {
		return s.cands
	}
	s.cands = []candidate{}
	seen := map[*types.Package]bool{s.pass.Pkg: true}
	var visit func(p *types.Package, inTest bool)
	visit = func(p *types.Package, inTest bool) {
		if seen[p] || !s.inModule(p) {
			return
		}
		seen[p] = true
		s.addCandidates(p, inTest)
		for _, imp := range p.Imports() {
			visit(imp, inTest)
		}
	}
	s.addCandidates(s.pass.Pkg, false)
	for _, f := range s.pass.Files {
		if isTestFile(s.pass.Fset.Position(f.Pos()).Filename) {
			continue
		}
		for _, spec := range f.Imports {
			if pn := s.pass.TypesInfo.PkgNameOf(spec); pn != nil {
				visit(pn.Imported(), false)
			}
		}
	}
	for _, imp := range s.pass.Pkg.Imports() {
		visit(imp, true)
	}
	return s.cands
}

// addCandidates adds the named types of p to s.cands.
func (s *state) addCandidates(p *types.Package, inTest bool) {
	for _, name := range p.Scope().Names() {
		tn, ok := p.Scope().Lookup(name).(*types.TypeName)
		if !ok || tn.IsAlias() {
			continue
		}
		named, ok := tn.Type().(*types.Named)
		if !ok || types.IsInterface(named) || named.TypeParams().Len() > 0 {
			continue
		}
		s.cands = append(s.cands, candidate{named, inTest || isTestFile(s.pass.Fset.Position(tn.Pos()).Filename)})
	}
}

// inModule reports whether p is of the module of the package checked: by
// its path where the driver tells the module's, else where this analyzer
// read it from source (it reads no package of the standard library).
func (s *state) inModule(p *types.Package) bool {
	if m := s.pass.Module; m != nil && m.Path != "" {
		return p.Path() == m.Path || strings.HasPrefix(p.Path(), m.Path+"/")
	}
	var analyzed analyzedFact
	return s.pass.ImportPackageFact(p, &analyzed)
}

// httpClient is net/http's Client, where the signature of m names a type
// of net/http, else nil: *http.Client, http.DefaultClient's type, is an
// implementation of the module's interfaces of its shape (a Doer), one
// that returns a body open.
func httpClient(m *types.Func) *types.Named {
	sig := m.Signature()
	for _, tup := range []*types.Tuple{sig.Params(), sig.Results()} {
		for v := range tup.Variables() {
			t := types.Unalias(v.Type())
			if p, ok := t.(*types.Pointer); ok {
				t = types.Unalias(p.Elem())
			}
			n, ok := t.(*types.Named)
			if !ok || n.Obj().Pkg() == nil || n.Obj().Pkg().Path() != "net/http" {
				continue
			}
			if tn, ok := n.Obj().Pkg().Scope().Lookup("Client").(*types.TypeName); ok {
				c, _ := tn.Type().(*types.Named)
				return c
			}
		}
	}
	return nil
}

// factOf is what the function obj does with bodies, as a fact tells it:
// of net/http, of this package, or of one whose facts the pass has.
// pending is set where obj is of this package and not yet summarized.
func (s *state) factOf(obj *types.Func) (fact ownsFact, pending bool) {
	switch {
	case obj.Pkg() != nil && obj.Pkg().Path() == "net/http":
		if httpSources[httpName(obj.Signature(), obj.Name())] {
			fact.Returns = 1
		}
		return fact, false
	case obj.Pkg() != s.pass.Pkg:
		s.pass.ImportObjectFact(obj, &fact)
		return fact, false
	}
	fn := s.pkg.Prog.FuncValue(obj)
	if fn == nil {
		return fact, false
	}
	sum, ok := s.sums[fn]
	if !ok {
		return fact, true
	}
	return ownsFact{Returns: sum.returns, OpenOnError: sum.openOnError, Hands: sum.hands}, false
}

// methodsByName indexes the methods among funcs by name, for postorder:
// a call of an interface method comes after the methods that may be its
// implementations.
func methodsByName(funcs []*ssa.Function) map[string][]*ssa.Function {
	byName := map[string][]*ssa.Function{}
	for _, fn := range funcs {
		if fn.Signature.Recv() != nil {
			byName[fn.Name()] = append(byName[fn.Name()], fn)
		}
	}
	return byName
}

func isTestFile(name string) bool { return strings.HasSuffix(name, "_test.go") }
