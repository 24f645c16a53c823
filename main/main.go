// Command connleak reproduces, fixes and measures goroutine leaks from HTTP
// connections kept open. Start it twice: server 2's /forward calls server 1's
// /hello, and both report their goroutine counts.
//
//	go run ./main                                 # server 1 on :8080
//	BIND_ADDRESS=:9090 go run ./main              # server 2, forwards to localhost:8080
//	curl localhost:9090/forward
//
//	go run ./main demo                            # every scenario, a table and a report
//	go run ./main load -n 400 URL                 # the seed's curl loop, built in
//	go run ./main bench                           # what each configuration costs
//	go run ./main diagnose dump.txt               # what a goroutine dump's HTTP connections say
//	go run ./main vet ./...                       # the leaky patterns in a module's code
//
// The server is configured by its environment; see the README.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"unicode"
	"unicode/utf8"

	"connleak/demo"
	"connleak/diagnose"
	"connleak/server"
	"connleak/vet"

	"golang.org/x/tools/go/analysis/unitchecker"
)

func main() {
	if isVetTool(os.Args[1:]) {
		// go vet -vettool=connleak: go vet's protocol, through unitchecker,
		// which exits by itself.
		unitchecker.Main(vet.Analyzers...)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop) // a second signal during the grace period ends the process at once
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "connleak:", oneLine(err.Error()))
		code := 1
		var ec interface{ ExitCode() int }
		if errors.As(err, &ec) {
			code = ec.ExitCode() // vet: 1 for findings, 2 for packages that do not load
		}
		os.Exit(code)
	}
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

// run is the whole program: it returns instead of exiting, so tests can call it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, getenv, stderr)
	case "demo":
		return demo.Command(ctx, args, stdout, stderr)
	case "load":
		return demo.LoadCommand(ctx, args, stdout, stderr)
	case "bench":
		return demo.BenchCommand(ctx, args, stdout, stderr)
	case "diagnose":
		return diagnose.Command(ctx, args, os.Stdin, stdout, stderr)
	case "vet":
		return vet.Command(ctx, args, stdout, stderr)
	default:
		return fmt.Errorf("unknown command %q: use serve (the default), demo, load, bench, diagnose or vet", cmd)
	}
}

// serve starts one server, configured by the environment, and runs it until
// ctx is done.
func serve(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	fs := flag.NewFlagSet("connleak serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: connleak [serve] | demo [flags] | load [flags] URL | bench [flags] | diagnose [flags] SOURCE...\n\nserve is configured by the environment: BIND_ADDRESS, UPSTREAM_URL, CONNECTION_CLOSE,\nSERVER_IDLE_TIMEOUT and FORWARD_<PARAMETER> defaults for /forward. See README.md.")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve takes no arguments, got %q", fs.Args())
	}
	cfg, err := server.ConfigFromEnv(getenv)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.BindAddress)
	if err != nil {
		return fmt.Errorf("listen on BIND_ADDRESS=%q: %w", cfg.BindAddress, err)
	}
	return server.New(cfg).Serve(ctx, ln, slog.New(slog.NewTextHandler(stderr, nil)))
}
