package vet

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/format"
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
// ExitError).
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
	fix := fs.Bool("fix", false, "apply the suggested fixes that are safe, and say which")
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

	findings, fixes := collect(graph)
	wd, _ := os.Getwd()
	for _, f := range findings {
		pos := f.pos
		if rel, err := filepath.Rel(wd, pos.Filename); err == nil && !strings.HasPrefix(rel, "..") {
			pos.Filename = rel
		}
		out := Finding{Check: f.Category, Pos: pos.String(), Message: f.Message}
		if *asJSON {
			b, _ := json.Marshal(out)
			fmt.Fprintf(stdout, "%s\n", b)
		} else {
			fmt.Fprintf(stdout, "%s: %s\n", out.Pos, out.Message)
		}
	}
	if *fix && len(fixes) > 0 {
		n, err := applyFixes(fixes)
		if err != nil {
			return &ExitError{2, fmt.Errorf("vet: -fix: %w", err)}
		}
		fmt.Fprintf(stderr, "connleak vet: suggested fixes applied: %d; run it again to see what is left\n", n)
	}
	if len(findings) > 0 {
		return &ExitError{1, fmt.Errorf("vet: %d findings", len(findings))}
	}
	return nil
}

type finding struct {
	analysis.Diagnostic
	pos token.Position
}

// edit is a suggested fix's text edit, in a file.
type edit struct {
	file       string
	start, end int
	text       string
}

// collect gathers the findings of the root actions, once each (a package
// and its test variant report the same), in file order, and the edits of
// their first suggested fix.
func collect(g *checker.Graph) ([]finding, []edit) {
	seen := map[string]bool{}
	var fs []finding
	var edits []edit
	for act := range g.All() {
		if !act.IsRoot {
			continue
		}
		fset := act.Package.Fset
		for _, d := range act.Diagnostics {
			pos := fset.Position(d.Pos)
			key := pos.String() + d.Message
			if seen[key] {
				continue
			}
			seen[key] = true
			fs = append(fs, finding{d, pos})
			if len(d.SuggestedFixes) > 0 {
				for _, te := range d.SuggestedFixes[0].TextEdits {
					start, end := fset.Position(te.Pos), fset.Position(te.End)
					edits = append(edits, edit{start.Filename, start.Offset, end.Offset, string(te.NewText)})
				}
			}
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
	return fs, edits
}

// applyFixes applies the edits, file by file, last first, and formats each
// file. It returns how many edits it applied.
func applyFixes(edits []edit) (int, error) {
	byFile := map[string][]edit{}
	for _, e := range edits {
		byFile[e.file] = append(byFile[e.file], e)
	}
	n := 0
	for file, es := range byFile {
		sort.Slice(es, func(i, j int) bool { return es[i].start > es[j].start })
		src, err := os.ReadFile(file)
		if err != nil {
			return n, err
		}
		last := len(src) + 1
		for _, e := range es {
			if e.end > last || e.end > len(src) {
				continue // overlaps the one after it: left for the next run
			}
			src = slices.Concat(src[:e.start], []byte(e.text), src[e.end:])
			last = e.start
			n++
		}
		if formatted, err := format.Source(src); err == nil {
			src = formatted
		}
		if err := os.WriteFile(file, src, 0o644); err != nil {
			return n, err
		}
	}
	return n, nil
}

// IsVetTool reports whether the arguments are go vet's, calling connleak as
// its -vettool: -V=full, -flags, or a .cfg file of a package to check.
func IsVetTool(args []string) bool {
	if len(args) == 0 {
		return false
	}
	last := args[len(args)-1]
	return args[0] == "-V=full" || args[0] == "-flags" || strings.HasSuffix(last, ".cfg") && !slices.Contains(args, "vet")
}
