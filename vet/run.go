package vet

import (
	"context"
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"
)

// Finding is one finding: its check, where, and what it means, the
// message ending in the check's id in brackets, as go vet writes it.
type Finding struct {
	Check   string `json:"check"`
	Pos     string `json:"pos"` // file:line:col, the file relative to Options.Dir
	Message string `json:"message"`
}

// Options are how Run loads and checks the packages.
type Options struct {
	// Dir is the directory the patterns are taken in, within a Go module,
	// and the one the positions are relative to: the working directory if
	// "".
	Dir string
	// Fix applies the suggested fixes that are safe: see Result.Fixes.
	Fix bool
	// NoTests leaves the packages' test files out, as -test=false does in
	// x/tools' singlechecker and multichecker (go vet has no such flag: it
	// always checks them). By default they are checked with the rest: see docs/vet.md for
	// what each check does in tests and Examples.
	NoTests bool
}

// Result is what Run found, and with Options.Fix what it fixed.
type Result struct {
	Findings []Finding
	// Fixes are the findings that suggest a fix, with Options.Fix: each
	// applied, or not and why. A fix whose edits overlap another's is left
	// for a later run; a package whose files do not type-check with the
	// fixes gets none of them; only the main module's own, hand-written
	// files are written.
	Fixes []Fix
	// Written are the files the fixes wrote, relative to Options.Dir.
	Written []string
}

// Fix is what became of one finding's suggested fix.
type Fix struct {
	Finding Finding
	Applied bool
	Why     string // why it is not applied, where it is not; "" for all when Run cannot write the files
}

// Run loads the packages the patterns name (./... if none), tests
// included unless Options.NoTests, from inside a Go module, runs the
// analyzers on them, and
// returns their findings in file order, with Options.Fix applying the
// suggested fixes that are safe. Its error says why it could not do its
// work: packages that do not load, patterns that match no packages, a fix
// that cannot write its files (then the findings, and the fixes not
// applied, are in the Result all the same).
//
// Run is its own small driver, on go/analysis/checker, rather than
// x/tools' multichecker: multichecker owns the flags and the process, which
// it ends with os.Exit, and the code with which x/tools' drivers apply
// fixes (internal/driverutil.ApplyFixes) is internal to x/tools, so not
// for connleak to import. `go vet -vettool=connleak -fix` goes through
// unitchecker, and so applies fixes x/tools' own way.
func Run(ctx context.Context, patterns []string, opts Options) (Result, error) {
	return run(ctx, Analyzers, patterns, opts)
}

// run is Run with the analyzers given.
func run(ctx context.Context, analyzers []*analysis.Analyzer, patterns []string, opts Options) (Result, error) {
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	wd := opts.Dir
	if wd == "" {
		wd, _ = os.Getwd()
	} else if abs, err := filepath.Abs(wd); err == nil {
		wd = abs
	}

	pkgs, err := load(ctx, patterns, opts)
	if err != nil {
		return Result{}, err
	}
	graph, err := checker.Analyze(analyzers, pkgs, &checker.Options{})
	if err != nil {
		return Result{}, fmt.Errorf("vet: %w", err)
	}

	for act := range graph.All() {
		if act.Err != nil && act.IsRoot {
			return Result{}, fmt.Errorf("vet: %s: %w", act, act.Err)
		}
	}
	found := collect(graph, wd)
	var res Result
	for _, f := range found {
		res.Findings = append(res.Findings, f.finding())
	}
	if opts.Fix {
		if err := applyFixes(ctx, found, wd, &res); err != nil {
			return res, fmt.Errorf("vet: -fix: %w", err)
		}
	}
	return res, nil
}

// load loads the packages the patterns name, and every dependency that is
// not the standard library's, from source (fromSource), so that the facts
// the checks keep of their functions reach the packages named. It
// returns the packages named only, which are the ones checked.
func load(ctx context.Context, patterns []string, opts Options) ([]*packages.Package, error) {
	mode := packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles | packages.NeedImports |
		packages.NeedTypes | packages.NeedTypesSizes | packages.NeedSyntax | packages.NeedTypesInfo | packages.NeedModule | packages.NeedExportFile
	cfg := &packages.Config{Context: ctx, Mode: mode, Tests: !opts.NoTests, Dir: opts.Dir}
	pkgs, err := loadPackages(cfg, patterns)
	if err != nil {
		return nil, err
	}
	return fromSource(ctx, pkgs)
}

// loadPackages loads the patterns, with an error that says why where they
// do not load or match no packages.
func loadPackages(cfg *packages.Config, patterns []string) ([]*packages.Package, error) {
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		return nil, fmt.Errorf("vet: load %s: %w", strings.Join(patterns, " "), err)
	}
	if len(pkgs) == 0 {
		// Outside a module, or an empty one: go list warns on its standard
		// error, which go/packages keeps to itself.
		return nil, fmt.Errorf("vet: %s matched no packages", strings.Join(patterns, " "))
	}
	var loadErrs []string
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		for _, e := range p.Errors {
			msg := strings.Join(strings.Fields(strings.ReplaceAll(e.Msg, "\n", "; ")), " ")
			if e.Pos != "" && e.Pos != "-" {
				msg = e.Pos + ": " + msg
			}
			loadErrs = append(loadErrs, msg)
		}
	})
	if len(loadErrs) > 0 {
		return nil, fmt.Errorf("vet: the packages do not load: %s", strings.Join(slices.Compact(loadErrs), "; "))
	}
	return pkgs, nil
}

// A finding is a diagnostic of a root package, where the output puts it.
type finding struct {
	analysis.Diagnostic
	pos token.Position // the filename relative to the working directory, where it is below it
	pkg *packages.Package
}

// finding is f as Run returns it.
func (f finding) finding() Finding {
	return Finding{Check: f.Category, Pos: f.pos.String(), Message: f.Message}
}

// collect gathers the findings of the root actions, once each (a package
// and its test variant report the same), in file order.
func collect(g *checker.Graph, wd string) []finding {
	seen := map[string]bool{}
	var fs []finding
	for act := range g.All() {
		if !act.IsRoot {
			continue
		}
		for _, d := range act.Diagnostics {
			pos := act.Package.Fset.Position(d.Pos)
			pos.Filename = relative(wd, pos.Filename)
			key := pos.String() + d.Message
			if seen[key] {
				continue
			}
			seen[key] = true
			fs = append(fs, finding{d, pos, act.Package})
		}
	}
	sort.Slice(fs, func(i, j int) bool {
		a, b := fs[i].pos, fs[j].pos
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return fs
}

// relative is name relative to dir, where it is below it, for output.
func relative(dir, name string) string {
	if rel, err := filepath.Rel(dir, name); err == nil && filepath.IsLocal(rel) {
		return rel
	}
	return name
}
