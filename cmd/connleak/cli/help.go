package cli

import (
	"context"
	"fmt"
)

// runHelp lists the commands, or shows one command's usage and flags.
func runHelp(ctx context.Context, args []string, e env) error {
	switch len(args) {
	case 0:
		usage(e.stdout)
		return nil
	case 1:
		for _, c := range commands() {
			if c.name == args[0] && c.name != "help" {
				return c.run(ctx, []string{"-h"}, env{e.getenv, e.stdin, e.stdout, e.stdout})
			}
		}
		return fmt.Errorf("help %s: no such command: connleak help lists them: %s", args[0], commandNames())
	}
	return fmt.Errorf("help takes one command at most, got %q", args)
}
