package cli

import (
	"context"
	"fmt"
)

// runHelp lists the commands, or shows one command's usage and flags.
func runHelp(ctx context.Context, args []string, e env) error {
	switch {
	case len(args) == 0 || len(args) == 1 && (args[0] == "help" || isHelpFlag(args[0])):
		usage(e.stdout)
		return nil
	case len(args) == 1:
		for _, c := range commands() {
			if c.name == args[0] {
				return c.run(ctx, []string{"-h"}, env{e.getenv, e.stdin, e.stdout, e.stdout})
			}
		}
		return fmt.Errorf("help %s: no such command: connleak help lists them: %s", args[0], commandNames())
	}
	return fmt.Errorf("help takes one command at most, got %q", args)
}

// isHelpFlag reports whether arg asks for help as the flag package takes
// it: -h, -help, --h or --help.
func isHelpFlag(arg string) bool {
	switch arg {
	case "-h", "-help", "--h", "--help":
		return true
	}
	return false
}
