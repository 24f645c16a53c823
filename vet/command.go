package vet

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"
)

// ExitError is Command's error where the exit status says more than the
// message: 1 for findings, and only for them; 2, as go vet, for everything
// else that goes wrong: a bad flag, packages that do not load, patterns
// that match no packages, a -fix that cannot write its files.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// ExitCode is the status the process exits with.
func (e *ExitError) ExitCode() int { return e.Code }

// Finding is one finding, as -json writes it.
type Finding struct {
	Check   string `json:"check"`
	Pos     string `json:"pos"` // file:line:col, the file relative to the working directory
	Message string `json:"message"`
}

// Command is `connleak vet [-json] [-fix] [packages]`, from inside a Go
// module: it loads the packages (./... by default, tests included), runs
// the analyzers, and writes each finding in go vet's form,
// file:line:col: message [check]. It exits 0 when it finds nothing, 1
// when it finds something, and 2 when it cannot do its work (see
// ExitError). With -fix it also applies the suggested fixes that are safe
// (see applyFixes).
//
// Command is its own small driver, on go/analysis/checker, rather than
// x/tools' multichecker: multichecker owns the flags and the process, which
// it ends with os.Exit, and the code with which x/tools' drivers apply
// fixes (internal/driverutil.ApplyFixes) is internal to x/tools, so not
// for connleak to import. `go vet -vettool=connleak -fix` goes through
// unitchecker (the command enters that mode for go vet's own
// invocations only), and so applies fixes x/tools' own way.
func Command(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("connleak vet", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage: connleak vet [-json] [-fix] [packages]

Finds the leaky patterns of connleak's catalogue in a module's code:
transport-idle-timeout, client-per-call, server-idle-timeout and
raw-body-not-closed. A comment //connleak:ignore <check> <reason> on the
line of a finding, or the line above, silences it. Also runs as
go vet -vettool=$(command -v connleak) ./...

`)
		fs.PrintDefaults()
	}
	asJSON := fs.Bool("json", false, "write the findings as JSON, one object per line")
	fix := fs.Bool("fix", false, "apply the suggested fixes that are safe, and say which, and why not the others")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return &ExitError{2, err}
	}
	patterns := fs.Args()
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}

	// The packages named, from source; their dependencies from the export
	// data the go command builds and caches, as go vet does: none of the
	// analyzers needs facts about other packages.
	mode := packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles | packages.NeedImports |
		packages.NeedTypes | packages.NeedTypesSizes | packages.NeedSyntax | packages.NeedTypesInfo | packages.NeedModule
	cfg := &packages.Config{Context: ctx, Mode: mode, Tests: true}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		return &ExitError{2, fmt.Errorf("vet: load %s: %w", strings.Join(patterns, " "), err)}
	}
	if len(pkgs) == 0 {
		// Outside a module, or an empty one: go list warns on its standard
		// error, which go/packages keeps to itself.
		return &ExitError{2, fmt.Errorf("vet: %s matched no packages", strings.Join(patterns, " "))}
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
		return &ExitError{2, fmt.Errorf("vet: the packages do not load: %s", strings.Join(slices.Compact(loadErrs), "; "))}
	}
	graph, err := checker.Analyze(Analyzers, pkgs, &checker.Options{})
	if err != nil {
		return &ExitError{2, fmt.Errorf("vet: %w", err)}
	}

	wd, _ := os.Getwd()
	findings := collect(graph, wd)
	for _, f := range findings {
		out := Finding{Check: f.Category, Pos: f.pos.String(), Message: f.Message}
		if *asJSON {
			b, _ := json.Marshal(out)
			fmt.Fprintf(stdout, "%s\n", b)
		} else {
			fmt.Fprintf(stdout, "%s: %s\n", out.Pos, out.Message)
		}
	}
	if *fix {
		if err := applyFixes(ctx, findings, wd, stderr); err != nil {
			return &ExitError{2, fmt.Errorf("vet: -fix: %w", err)}
		}
	}
	if len(findings) > 0 {
		return &ExitError{1, fmt.Errorf("vet: %d findings", len(findings))}
	}
	return nil
}

// A finding is a diagnostic of a root package, where the output puts it.
type finding struct {
	analysis.Diagnostic
	pos token.Position // the filename relative to the working directory, where it is below it
	pkg *packages.Package
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
