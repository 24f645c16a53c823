package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/connleak/connleak/internal/lab/scenario"
	"github.com/connleak/connleak/vet"
)

// exitError is an error whose exit status says more than its message:
// vet's 1 for findings, and 2 for everything else that goes wrong.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// ExitCode is the status the process exits with.
func (e *exitError) ExitCode() int { return e.code }

// runVet is `connleak vet [-json] [-fix] [-test=false] [packages]`, from inside a Go
// module: it loads the packages (./... by default, tests included), runs
// the analyzers, and writes each finding in go vet's form,
// file:line:col: message [check], with the lab scenario that shows it. It
// exits 0 when it finds nothing, 1 when it finds something, and 2, as go
// vet, when it cannot do its work: a bad flag, packages that do not load,
// patterns that match no packages, a -fix that cannot write its files.
// With -fix it also applies the suggested fixes that are safe, and says
// which, why it left each other, and which findings have none. It runs the
// checks through go vet, or through vet.Run (check).
func runVet(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("connleak vet", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprint(e.stderr, `usage: connleak vet [-json] [-fix] [-test=false] [packages]

Finds the leaky patterns of connleak's catalogue in a module's code:
transport-idle-timeout, client-per-call, server-idle-timeout and
body-not-closed (a response body, net/http's or a Resty raw one, not
closed on every path). A comment //connleak:ignore <check> <reason> on
the line of a finding, or the line above, silences it. Also runs as
go vet -vettool=$(command -v connleak) ./...

`)
		fs.PrintDefaults()
	}
	asJSON := fs.Bool("json", false, "write the findings as JSON, one object per line")
	fix := fs.Bool("fix", false, "apply the suggested fixes that are safe; say which it applied, why it left each other, and which findings have none")
	tests := fs.Bool("test", true, "check test files too, as go vet does; -test=false leaves them out")
	if err := parseFlags(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return &exitError{2, err}
	}
	res, err := check(ctx, fs.Args(), vet.Options{Fix: *fix, NoTests: !*tests}, e.stderr)
	writeFindings(e.stdout, res.Findings, *asJSON)
	applied := sayFixes(e.stderr, res, *fix)
	switch {
	case err != nil:
		return &exitError{2, err}
	case len(res.Fixes) == 0:
	case len(applied) == 0:
		fmt.Fprintf(e.stderr, "connleak vet: fixes applied: 0\n")
	default:
		fmt.Fprintf(e.stderr, "connleak vet: fixes applied: %d (%s); files written: %s; run it again to see what is left\n",
			len(applied), strings.Join(applied, ", "), strings.Join(res.Written, ", "))
	}
	if len(res.Findings) > 0 {
		if len(res.Findings) == 1 {
			return &exitError{1, errors.New("vet: 1 finding")}
		}
		return &exitError{1, fmt.Errorf("vet: %d findings", len(res.Findings))}
	}
	return nil
}

// check runs the checks on the packages the patterns name: through go vet
// (govet.go), or with opts.Fix or opts.NoTests, which go vet has not,
// through vet.Run. Where go vet cannot say, it says so on stderr, and why,
// and falls back to vet.Run, whose findings are the same (it reads every
// dependency from source, as go vet does: vet/source.go); where vet.Run
// cannot check them either, its error alone says why, in one line. -fix
// and -test=false are no fallback: they say nothing.
func check(ctx context.Context, patterns []string, opts vet.Options, stderr io.Writer) (vet.Result, error) {
	if opts.Fix || opts.NoTests {
		return vet.Run(ctx, patterns, opts)
	}
	found, goErr := goVet(ctx, patterns, stderr)
	if goErr == nil {
		return vet.Result{Findings: found}, nil
	}
	res, err := vet.Run(ctx, patterns, opts)
	if err == nil {
		fmt.Fprintf(stderr, "connleak vet: go vet could not check the packages (%s); checked them with connleak's own loader\n", goErr)
	}
	return res, err
}

// writeFindings writes each finding on a line, as JSON or as text with
// the lab scenario that shows its pattern.
func writeFindings(w io.Writer, findings []vet.Finding, asJSON bool) {
	for _, f := range findings {
		if asJSON {
			b, _ := json.Marshal(f)
			fmt.Fprintf(w, "%s\n", b)
		} else {
			fmt.Fprintf(w, "%s: %s\n", f.Pos, labShows(f))
		}
	}
}

// sayFixes says on w why each fix of res not applied was not, and, with
// -fix, each finding that has none; it returns those applied, each as
// pos [check].
func sayFixes(w io.Writer, res vet.Result, fix bool) (applied []string) {
	offered := map[vet.Finding]bool{} // the findings with a fix
	for _, x := range res.Fixes {
		offered[x.Finding] = true
		at := x.Finding.Pos + " [" + x.Finding.Check + "]"
		if x.Applied {
			applied = append(applied, at)
		} else if x.Why != "" {
			fmt.Fprintf(w, "connleak vet: fix not applied: %s: %s\n", at, x.Why)
		}
	}
	if fix {
		for _, f := range res.Findings {
			if !offered[f] {
				fmt.Fprintf(w, "connleak vet: no fix: %s [%s]: not one -fix can make safely (%s%s)\n", f.Pos, f.Check, vet.DocBase, f.Check)
			}
		}
	}
	return applied
}

// labShows is f's message with the lab scenario that shows its pattern,
// before the check's id.
func labShows(f vet.Finding) string {
	s, ok := scenario.ForCheck(f.Check)
	if !ok {
		return f.Message
	}
	id := " [" + f.Check + "]"
	return strings.TrimSuffix(f.Message, id) + " (the lab shows it: connleak demo -scenarios " + s.Name + ")" + id
}
