package bodynotclosed

import (
	_ "embed"
	"go/ast"
	"go/types"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/connleak/connleak/vet/internal/analysisutil"
)

//go:embed doc.go
var doc string

// Analyzer is the body-not-closed check; see the package doc.
var Analyzer = &analysis.Analyzer{
	Name:      "bodynotclosed",
	Doc:       analysisutil.MustExtractDoc(doc, "bodynotclosed"),
	URL:       analysisutil.DocBase + analysisutil.CheckBodyNotClosed,
	Requires:  []*analysis.Analyzer{analysisutil.Directives},
	Run:       run,
	FactTypes: []analysis.Fact{new(ownsFact), new(analyzedFact)},
}

// ownsFact is what a function of another package does with open bodies:
// bit i of Returns is set where its result i may be an open body that its
// caller must close, bit i of OpenOnError where it may be one with an
// error that is not nil; bit i of Keeps where it closes or keeps what its
// parameter i (the receiver first) is given on some path, and of
// LeavesOnError and LeavesOnSuccess where it then returns without doing
// so on some path, with an error, or with none (see keep); Pair is what
// it does with a body given with its error (see pair); bit i of Hands is
// set where it hands an open body to its parameter i, a func, and leaves
// it to it (see handsTo), and of Shows where it shows the body it returns
// open to its parameter i, a func, which owns it where it closes or keeps
// it (see returnsPast); bit i of Wraps where it only ever hands it back,
// held in what it returns (a reader that wraps the body, and closes it
// when it is closed). Bit i of Rewraps is set where it may replace the
// Body of the response its parameter i is given with a wrapper of that
// body, of Reads where it takes what its parameter i is given off its
// caller on some path by reading it to its end alone, and of Wrapped where
// its result i may be such a wrapper, or the response that holds one (see
// decoded.go).
type ownsFact struct {
	Returns         uint8
	OpenOnError     uint8
	Keeps           uint64
	LeavesOnError   uint64
	LeavesOnSuccess uint64
	Pair            pair
	Hands           uint64
	Shows           uint64
	Wraps           uint64
	Rewraps         uint64
	Reads           uint64
	Wrapped         uint8
}

func (*ownsFact) AFact() {}

func (f *ownsFact) String() string {
	var parts []string
	if f.Returns != 0 {
		parts = append(parts, "returns "+bits(uint64(f.Returns)))
	}
	if f.OpenOnError != 0 {
		parts = append(parts, "open on error "+bits(uint64(f.OpenOnError)))
	}
	if f.Keeps != 0 {
		parts = append(parts, "keeps "+bits(f.Keeps))
	}
	if f.LeavesOnError != 0 {
		parts = append(parts, "leaves "+bits(f.LeavesOnError)+" on error")
	}
	if f.LeavesOnSuccess != 0 {
		parts = append(parts, "leaves "+bits(f.LeavesOnSuccess)+" on success")
	}
	if f.Pair.Param != 0 {
		parts = append(parts, f.Pair.String())
	}
	if f.Hands != 0 {
		parts = append(parts, "hands "+bits(f.Hands))
	}
	if f.Shows != 0 {
		parts = append(parts, "shows "+bits(f.Shows))
	}
	if f.Wraps != 0 {
		parts = append(parts, "wraps "+bits(f.Wraps))
	}
	if f.Rewraps != 0 {
		parts = append(parts, "rewraps "+bits(f.Rewraps))
	}
	if f.Reads != 0 {
		parts = append(parts, "reads "+bits(f.Reads))
	}
	if f.Wrapped != 0 {
		parts = append(parts, "wrapped "+bits(uint64(f.Wrapped)))
	}
	return strings.Join(parts, ", ")
}

// analyzedFact marks a package this analyzer read from source: a function
// of it without an ownsFact neither returns nor keeps a body. A package
// without it came from export data, and what its functions do is unknown.
type analyzedFact struct{ FromSource bool }

func (*analyzedFact) AFact()         {}
func (*analyzedFact) String() string { return "analyzed" }

// bits is the set bits of m, as "0 2".
func bits(m uint64) string {
	var is []string
	for i := range 64 {
		if m&(1<<i) != 0 {
			is = append(is, strconv.Itoa(i))
		}
	}
	return strings.Join(is, " ")
}

// summary is what a function of this package does with open bodies, as
// ownsFact, and for a function literal with its free variables.
type summary struct {
	returns         uint8
	openOnError     uint8
	keeps           uint64
	leavesOnError   uint64
	leavesOnSuccess uint64
	wraps           uint64
	freeKeeps       uint64
	pair            pair
	hands           uint64
	shows           uint64
	rewraps         uint64
	reads           uint64
	wrapped         uint8
	drops           []drop // see handback.go
}

// state is one pass: the package in SSA form and its functions' summaries.
type state struct {
	pass *analysis.Pass
	pkg  *ssa.Package
	sums map[*ssa.Function]*summary
	// rawClients are the Resty clients set SetDoNotParseResponse(true)
	// somewhere in the package: globals, fields, and local values.
	rawClients map[any]bool
	impls      map[implsKey]impls // see implsOf
	cands      []candidate        // see candidates; nil until asked
	// reportedDrops is the calls of func parameters reported as dropping
	// what a callback returns (see handback.go).
	reportedDrops map[*ssa.Call]bool
}

func run(pass *analysis.Pass) (any, error) {
	// A package loaded from export data has neither syntax nor type
	// information to build SSA from: nothing to report, no facts.
	if len(pass.Files) == 0 || pass.TypesInfo == nil {
		return nil, nil
	}
	// The standard library is taken as connleak vet's driver sees it, from
	// export data (see keeps): it is not the code being checked, and
	// analyzing it would only cost time where a test loads it from source.
	if analysisutil.InGOROOT(pass) {
		return nil, nil
	}
	// A main package is imported by none: its facts would serve nobody.
	facts := pass.Pkg.Name() != "main"
	if facts {
		pass.ExportPackageFact(&analyzedFact{FromSource: true})
	}
	if !mentionsBodies(pass) {
		return nil, nil
	}
	pkg, funcs := buildSSA(pass)
	if pkg == nil {
		return nil, nil
	}
	s := &state{pass: pass, pkg: pkg, sums: map[*ssa.Function]*summary{}, rawClients: map[any]bool{}, impls: map[implsKey]impls{}, reportedDrops: map[*ssa.Call]bool{}}
	all := funcs
	if init := pkg.Func("init"); init != nil {
		all = append(all, init)
	}
	s.findRawClients(all)
	for _, fn := range postorder(pkg, funcs) {
		s.sums[fn] = s.analyze(fn)
	}
	if facts {
		s.exportInterfaces()
	}
	for _, fn := range funcs {
		obj, ok := fn.Object().(*types.Func)
		if !facts || !ok || obj.Pkg() != pass.Pkg || fn.Parent() != nil {
			continue
		}
		if sum := s.sums[fn]; sum.returns != 0 || sum.keeps != 0 || sum.hands != 0 || sum.rewraps != 0 {
			pass.ExportObjectFact(obj, &ownsFact{
				Returns: sum.returns, OpenOnError: sum.openOnError,
				Keeps: sum.keeps, LeavesOnError: sum.leavesOnError, LeavesOnSuccess: sum.leavesOnSuccess, Pair: sum.pair,
				Hands: sum.hands, Shows: sum.shows, Wraps: sum.wraps,
				Rewraps: sum.rewraps, Reads: sum.reads, Wrapped: sum.wrapped,
			})
		}
	}
	return nil, nil
}

// buildSSA builds the package's SSA form, as passes/buildssa does but
// without its ctrlflow pass, and returns its source functions, function
// literals included. It builds none where the package has errors that
// SSA construction cannot take.
func buildSSA(pass *analysis.Pass) (pkg *ssa.Package, funcs []*ssa.Function) {
	defer func() {
		if recover() != nil { // ill-typed code: no findings rather than a crash
			pkg, funcs = nil, nil
		}
	}()
	prog := ssa.NewProgram(pass.Fset, 0)
	for _, p := range pass.Pkg.Imports() {
		prog.CreatePackage(p, nil, nil, true)
	}
	pkg = prog.CreatePackage(pass.Pkg, pass.Files, pass.TypesInfo, false)
	pkg.Build()
	var add func(fn *ssa.Function)
	add = func(fn *ssa.Function) {
		funcs = append(funcs, fn)
		for _, anon := range fn.AnonFuncs {
			add(anon)
		}
	}
	if init := pkg.Func("init"); init != nil {
		for _, anon := range init.AnonFuncs {
			add(anon)
		}
	}
	for _, f := range pass.Files {
		for _, d := range f.Decls {
			if d, ok := d.(*ast.FuncDecl); ok {
				if obj, ok := pass.TypesInfo.Defs[d.Name].(*types.Func); ok {
					if fn := prog.FuncValue(obj); fn != nil {
						add(fn)
					}
				}
			}
		}
	}
	return pkg, funcs
}

// postorder is funcs with each function after the functions of the
// package it calls or takes as a value (a function literal it makes, or
// passes as a callback), and after the methods of the package named as an
// interface method it calls, cycles broken where they close.
func postorder(pkg *ssa.Package, funcs []*ssa.Function) []*ssa.Function {
	inPkg := map[*ssa.Function]bool{}
	for _, fn := range funcs {
		inPkg[fn] = true
	}
	methods := methodsByName(funcs)
	seen := map[*ssa.Function]bool{}
	var order []*ssa.Function
	var visit func(fn *ssa.Function)
	visit = func(fn *ssa.Function) {
		if seen[fn] {
			return
		}
		seen[fn] = true
		for _, b := range fn.Blocks {
			for _, ins := range b.Instrs {
				var callee *ssa.Function
				switch ins := ins.(type) {
				case ssa.CallInstruction:
					if c := ins.Common(); c.IsInvoke() {
						for _, m := range methods[c.Method.Name()] {
							visit(m)
						}
					}
					callee = ins.Common().StaticCallee()
				}
				if callee != nil {
					if o := callee.Origin(); o != nil {
						callee = o
					}
					if inPkg[callee] {
						visit(callee)
					}
				}
				for _, op := range ins.Operands(nil) {
					if fn, ok := (*op).(*ssa.Function); ok && inPkg[fn] {
						visit(fn) // a literal, or a function, as a value
					}
				}
			}
		}
		order = append(order, fn)
	}
	for _, fn := range funcs {
		visit(fn)
	}
	return order
}

// analyze is fn's summary; it reports the bodies fn leaks on the way.
func (s *state) analyze(fn *ssa.Function) *summary {
	sum := &summary{}
	for i, p := range fn.Params {
		if i < 64 && mayCarry(p.Type()) {
			s.summarizeParam(fn, p, uint64(1)<<i, sum)
		}
	}
	sum.pair = s.pairOf(fn, sum.keeps)
	for i, fv := range fn.FreeVars {
		if ptr, ok := fv.Type().Underlying().(*types.Pointer); i < 64 && ok && mayCarry(ptr.Elem()) {
			f := s.newFlow(fn)
			f.addBox(fv)
			f.run()
			if f.keeps() {
				sum.freeKeeps |= 1 << i
			}
		}
	}
	s.sources(fn, sum)
	s.callbacks(fn, sum)
	s.drops(fn, sum)
	s.handedBack(fn)
	return sum
}

// sources follows the bodies fn opens, notes in sum what it does with
// them, and reports those it leaks. It shows a callback the bodies it
// returns open only where it so shows every one (see returnsPast).
func (s *state) sources(fn *ssa.Function, sum *summary) {
	plain := false // a body returned open not past a callback alone
	for _, b := range fn.Blocks {
		for _, ins := range b.Instrs {
			call, ok := ins.(*ssa.Call)
			if !ok {
				continue
			}
			src, ok := s.source(call)
			if !ok {
				continue
			}
			f := s.newFlow(fn)
			f.src = src
			f.wrapped = src.wrapped
			for _, r := range src.roots() {
				f.add(r)
			}
			f.run()
			f.dropLooks()
			l, ok := f.leak() // notes f.returns on the way
			sum.returns |= f.returns
			if f.wrapped {
				sum.wrapped |= f.returns
			}
			sum.openOnError |= f.openOnError
			sum.hands |= f.handsTo()
			sum.shows |= f.shows
			plain = plain || f.returns != 0 && f.shows == 0
			if ok {
				s.report(f, l)
			}
		}
	}
	if plain {
		sum.shows = 0
	}
}

// summarizeParam notes in sum, at the bit of its parameter p, what fn
// does with what p is given.
func (s *state) summarizeParam(fn *ssa.Function, p *ssa.Parameter, bit uint64, sum *summary) {
	f := s.newFlow(fn)
	f.add(p)
	f.run()
	if f.wrapped {
		sum.rewraps |= bit
	}
	if !f.keeps() {
		return
	}
	sum.keeps |= bit
	if s.readsOnly(fn, p, f) {
		sum.reads |= bit
	}
	if f.left&leftOnError != 0 {
		sum.leavesOnError |= bit
	}
	if f.left&leftOnSuccess != 0 {
		sum.leavesOnSuccess |= bit
	}
	if f.left == 0 && f.holdsOnly() {
		sum.wraps |= bit
	}
}

// mayCarry reports whether a value of type t may be an open body, or the
// response that holds one, that whoever holds it can close: a response, a
// pointer to a struct that embeds one (see isWrapper), or
// an interface with a Close method that a body implements (io.ReadCloser,
// io.Closer). A function keeps only what it takes as such: what it takes as
// an io.Reader, or as any, it reads.
func mayCarry(t types.Type) bool {
	if _, ok := t.(*types.TypeParam); ok {
		return true // it may be instantiated with one
	}
	if analysisutil.IsNamed(t, "net/http", "Response") || isRestyResponse(t) {
		_, ok := t.(*types.Pointer)
		return ok
	}
	if isWrapper(t) {
		return true
	}
	it, ok := t.Underlying().(*types.Interface)
	if !ok || !closable(t) {
		return false
	}
	for m := range it.Methods() {
		if m.Name() != "Read" && m.Name() != "Close" {
			return false
		}
	}
	return true
}

// mentionsBodies reports whether the package has a call that returns what
// mayCarry takes, or a function that takes one: else it has neither
// sources nor sinks, and its SSA form need not be built.
func mentionsBodies(pass *analysis.Pass) bool {
	carries := func(t types.Type) bool {
		if tup, ok := t.(*types.Tuple); ok {
			for v := range tup.Variables() {
				if mayCarry(v.Type()) {
					return true
				}
			}
			return false
		}
		return t != nil && mayCarry(t)
	}
	found := false
	for _, f := range pass.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				found = found || carries(pass.TypesInfo.TypeOf(n))
			case *ast.FuncType:
				for _, fl := range n.Params.List {
					found = found || carries(pass.TypesInfo.TypeOf(fl.Type))
				}
			}
			return !found
		})
		if found {
			return true
		}
	}
	return false
}

// returnsOf is the results of callee that are open bodies its caller must
// close, and those of them it may return open with an error.
func (s *state) returnsOf(callee *ssa.Function) (returns, openOnError uint8) {
	if o := callee.Origin(); o != nil {
		callee = o
	}
	if sum, ok := s.sums[callee]; ok {
		return sum.returns, sum.openOnError
	}
	obj, _ := callee.Object().(*types.Func)
	if obj == nil || obj.Pkg() == nil || obj.Pkg() == s.pass.Pkg {
		return 0, 0
	}
	return s.factReturns(obj)
}

// factReturns is returnsOf for obj of another package, from its fact.
func (s *state) factReturns(obj *types.Func) (returns, openOnError uint8) {
	var fact ownsFact
	if s.pass.ImportObjectFact(obj, &fact) {
		return fact.Returns, fact.OpenOnError
	}
	return 0, 0
}

func recvType(sig *types.Signature) types.Type {
	if sig.Recv() == nil {
		return nil
	}
	return sig.Recv().Type()
}

// paramType is the type of a call's argument i: the receiver first.
func paramType(sig *types.Signature, i int) types.Type {
	if sig.Recv() != nil {
		if i == 0 {
			return sig.Recv().Type()
		}
		i--
	}
	n := sig.Params().Len()
	switch {
	case i < n-1 || i < n && !sig.Variadic():
		return sig.Params().At(i).Type()
	case sig.Variadic() && n > 0:
		return sig.Params().At(n - 1).Type() // the slice of the rest
	}
	return nil
}

// closable reports whether t has a Close method.
func closable(t types.Type) bool {
	obj, _, _ := types.LookupFieldOrMethod(t, true, nil, "Close")
	_, ok := obj.(*types.Func)
	return ok
}

// isStd reports whether path is a package of the standard library: its
// first element has no dot.
func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}
