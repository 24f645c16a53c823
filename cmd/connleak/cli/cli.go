// Package cli is the connleak command: what cmd/connleak and main/main.go
// (the original walkthrough's `go run ./main/main.go`) both run. It parses
// the command line, runs one subcommand, and says how it ended; only Main
// decides the exit code, and only the programs' main functions exit.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"unicode"
	"unicode/utf8"

	"github.com/connleak/connleak/vet"

	"golang.org/x/tools/go/analysis/unitchecker"
)

// Main runs the command line args (without the program's name) and returns
// the process's exit code: 0, or 1 for an error, or what the error says
// (vet: 1 for findings, 2 for anything else). Called as go vet's -vettool,
// it speaks go vet's protocol through unitchecker, which exits by itself.
func Main(args []string) int {
	if isVetTool(args) {
		unitchecker.Main(vet.Analyzers...)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop) // a second signal during the grace period ends the process at once
	err := Run(ctx, args, os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err == nil {
		return 0
	}
	fmt.Fprintln(os.Stderr, "connleak:", oneLine(err.Error()))
	var ec interface{ ExitCode() int }
	if errors.As(err, &ec) {
		return ec.ExitCode()
	}
	return 1
}

// command is one of connleak's subcommands.
type command struct {
	name, usage string
	run         func(ctx context.Context, args []string, env env) error
}

// commands are connleak's subcommands, in the order usage lists them (a
// function, as help runs them).
func commands() []command {
	return []command{
		{"serve", "one lab server, configured by its environment (the default)", runServe},
		{"demo", "every lab scenario on fresh pairs of servers: a table and a report", runDemo},
		{"load", "the Resty demo's curl loop against a server, built in", runLoad},
		{"bench", "what each client configuration costs, against plain net/http", runBench},
		{"diagnose", "what a goroutine dump's HTTP connections say: held, why, made where, the fix", runDiagnose},
		{"vet", "the leaky patterns in a module's code (also as go vet -vettool)", runVet},
		{"exporter", "Prometheus's probes of a fleet's goroutine profiles, answered as metrics", runExporter},
		{"help", "this list, or a command's flags: connleak help COMMAND", runHelp},
		{"version", "the module path and version of this build", runVersion},
	}
}

// env is what a subcommand gets of the process.
type env struct {
	getenv         func(string) string
	stdin          io.Reader
	stdout, stderr io.Writer
}

// Run is the whole program: it returns instead of exiting, so tests can
// call it.
func Run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 1 && isHelpFlag(args[0]) { // connleak -h: the commands, serve the default among them
		usage(stdout)
		return nil
	}
	name := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		name, args = args[0], args[1:]
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, args, env{getenv, stdin, stdout, stderr})
		}
	}
	return fmt.Errorf("unknown command %q: connleak help lists them: %s", name, commandNames())
}

func commandNames() string {
	cs := commands()
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.name
	}
	return strings.Join(names, ", ")
}

// parseFlags parses a command's flags into fs. -h or -help prints the
// command's usage and returns flag.ErrHelp. A bad flag is an error of one
// line, which Main prints as it prints every error: neither the flag
// package's own line nor the usage is printed, so the error is not said
// twice, nor buried.
func parseFlags(fs *flag.FlagSet, args []string) error {
	out, usage := fs.Output(), fs.Usage
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.SetOutput(out)
	fs.Usage = usage
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.Usage()
		return err
	case err != nil:
		return fmt.Errorf("%w (%s -h lists the flags)", err, fs.Name())
	}
	return nil
}

// usage is the top-level usage: every subcommand.
func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: connleak [COMMAND] [flags] [arguments]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.usage)
	}
	fmt.Fprintln(w, "\nconnleak help COMMAND shows a command's flags. See README.md and docs/.")
}

// isVetTool reports whether the arguments are exactly those go vet passes
// to its -vettool: -V=full for the tool's version, -flags for its flags, or
// the tool's flags and then the vet.cfg file that describes one package.
// Any other argument list, whatever its last one ends in, is a connleak
// command.
func isVetTool(args []string) bool {
	switch {
	case len(args) == 1 && (args[0] == "-V=full" || args[0] == "-flags"):
		return true
	case len(args) == 0 || filepath.Base(args[len(args)-1]) != "vet.cfg":
		return false
	}
	for _, a := range args[:len(args)-1] {
		if !strings.HasPrefix(a, "-") {
			return false
		}
	}
	return true
}

// oneLine escapes what a terminal would act on in an error message
// (control characters, newlines above all, and bidirectional overrides),
// so that whatever a setting or a dump held, the message is one line and
// forges no other.
func oneLine(s string) string {
	if utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) {
		return s
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}
