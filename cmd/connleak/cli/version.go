package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"runtime/debug"
)

// runVersion prints the module path and version of this build, and the Go it
// was built with, from the build information Go embeds in every binary.
func runVersion(_ context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("connleak version", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: connleak version\n\nPrints the module path and version of this build, and the Go it was built with.")
	}
	if err := parseFlags(fs, args); err != nil {
		return helpIsSuccess(err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("version takes no arguments, got %q", fs.Args())
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return errors.New("version: this binary carries no build information")
	}
	fmt.Fprintf(e.stdout, "%s %s (%s)\n", bi.Main.Path, bi.Main.Version, bi.GoVersion)
	return nil
}
