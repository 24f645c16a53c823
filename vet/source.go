package vet

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"strings"

	"golang.org/x/tools/go/gcexportdata"
	"golang.org/x/tools/go/packages"
)

// fromSource returns pkgs as the checks must see them: every package of
// their graph that is not the standard library's read from source, so
// that the checks compute the facts of each dependency's functions (a
// helper that returns an open body, one that closes what it is given), as
// go vet does. go/packages reads the named packages from source and
// every dependency from export data; fromSource parses the dependencies
// that are not the standard library's and type-checks them, and the
// packages that import them, again, in import order, against the
// standard library's export data that go/packages read. The standard
// library stays as it is: the checks compute no facts of it (see
// analysisutil.InGOROOT), under go vet either, and reading it from source
// would cost more than the rest. A package is the standard library's
// where it belongs to no module.
//
// (go/packages reads every package from source with NeedDeps, the
// standard library included; naming the dependencies as patterns reads
// their tests too.)
func fromSource(ctx context.Context, pkgs []*packages.Package) ([]*packages.Package, error) {
	if len(pkgs) == 0 {
		return pkgs, nil
	}
	s := &sourceReader{ctx: ctx, fset: pkgs[0].Fset, sizes: pkgs[0].TypesSizes, done: map[*packages.Package]*packages.Package{}, std: map[string]*types.Package{}}
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		if p.Module == nil && p.ID == p.PkgPath {
			s.std[p.PkgPath] = p.Types
		}
	})
	out := make([]*packages.Package, len(pkgs))
	for i, p := range pkgs {
		q, err := s.visit(p)
		if err != nil {
			return nil, err
		}
		out[i] = q
	}
	return out, nil
}

// A sourceReader reads a graph of packages from source, each once.
type sourceReader struct {
	ctx   context.Context
	fset  *token.FileSet
	sizes types.Sizes
	done  map[*packages.Package]*packages.Package // each package visited, as visit returned it
	std   map[string]*types.Package               // the standard library's packages, by path
}

// visit returns p as the checks must see it: p itself where it is the
// standard library's, or read from source already and importing nothing
// visit changed; otherwise a copy of it read from source and type-checked
// against its imports as visit returns them.
func (s *sourceReader) visit(p *packages.Package) (*packages.Package, error) {
	if q, ok := s.done[p]; ok {
		return q, nil
	}
	imports := make(map[string]*packages.Package, len(p.Imports))
	changed := p.Module != nil && p.Syntax == nil
	for path, imp := range p.Imports {
		q, err := s.visit(imp)
		if err != nil {
			return nil, err
		}
		imports[path] = q
		changed = changed || q != imp
	}
	q := p
	if changed {
		var err error
		if q, err = s.check(p, imports); err != nil {
			return nil, err
		}
	}
	s.done[p] = q
	return q, nil
}

// check is a copy of p, parsed where go/packages did not, and
// type-checked against imports.
func (s *sourceReader) check(p *packages.Package, imports map[string]*packages.Package) (*packages.Package, error) {
	if err := s.ctx.Err(); err != nil {
		return nil, err
	}
	files := p.Syntax
	if files == nil {
		for _, name := range p.CompiledGoFiles {
			f, err := parser.ParseFile(s.fset, name, nil, parser.AllErrors|parser.ParseComments|parser.SkipObjectResolution)
			if err != nil {
				return nil, fmt.Errorf("vet: the packages do not load: %s", oneLine(err.Error()))
			}
			files = append(files, f)
		}
	}
	q := *p
	q.Imports, q.Syntax, q.Fset, q.TypesSizes, q.IllTyped = imports, files, s.fset, s.sizes, false
	q.Types = types.NewPackage(p.PkgPath, p.Name)
	q.TypesInfo = &types.Info{
		Types:        map[ast.Expr]types.TypeAndValue{},
		Defs:         map[*ast.Ident]types.Object{},
		Uses:         map[*ast.Ident]types.Object{},
		Implicits:    map[ast.Node]types.Object{},
		Instances:    map[*ast.Ident]types.Instance{},
		Scopes:       map[ast.Node]*types.Scope{},
		Selections:   map[*ast.SelectorExpr]*types.Selection{},
		FileVersions: map[*ast.File]string{},
	}
	for _, imp := range imports {
		if err := s.complete(imp); err != nil {
			return nil, err
		}
	}
	var errs []string
	cfg := &types.Config{
		Importer: importer(imports),
		Sizes:    s.sizes,
		Error:    func(err error) { errs = append(errs, oneLine(err.Error())) },
	}
	if p.Module != nil && p.Module.GoVersion != "" {
		cfg.GoVersion = "go" + p.Module.GoVersion
	}
	types.NewChecker(cfg, s.fset, q.Types, q.TypesInfo).Files(files)
	if len(errs) > 0 {
		return nil, fmt.Errorf("vet: the packages do not load: %s: %s", p.ID, strings.Join(errs, "; "))
	}
	return &q, nil
}

// complete reads the export data of p, where it is a package of the
// standard library that go/packages left incomplete (it reads the export
// data of the named packages' imports, and of what they refer to), into
// the types.Package go/packages made for it, as go/packages does: what
// refers to it already still does.
func (s *sourceReader) complete(p *packages.Package) error {
	if p.Module != nil || p.Types == nil || p.Types.Complete() {
		return nil
	}
	f, err := os.Open(p.ExportFile)
	if err != nil {
		return fmt.Errorf("vet: the packages do not load: %s: %w", p.ID, err)
	}
	defer f.Close()
	//lint:ignore SA1019 go list -export names compiler archives, which NewReader alone reads (go/packages reads them so too)
	r, err := gcexportdata.NewReader(f)
	if err == nil {
		_, err = gcexportdata.Read(r, s.fset, s.std, p.PkgPath)
	}
	if err != nil {
		return fmt.Errorf("vet: the packages do not load: %s: %s: %w", p.ID, p.ExportFile, err)
	}
	return nil
}

// importer finds an import path in imports, a package's.
func importer(imports map[string]*packages.Package) types.Importer {
	return importerFunc(func(path string) (*types.Package, error) {
		if path == "unsafe" {
			return types.Unsafe, nil
		}
		if p := imports[path]; p != nil && p.Types != nil {
			return p.Types, nil
		}
		return nil, fmt.Errorf("no package %s among the imports", path)
	})
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

// oneLine is s on one line, its runs of white space one space each.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
