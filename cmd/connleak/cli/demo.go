package cli

import (
	"context"

	"github.com/connleak/connleak/demo"
)

// runDemo runs every scenario of the lab's catalogue on fresh pairs of servers.
func runDemo(ctx context.Context, args []string, e env) error {
	return demo.Command(ctx, args, e.stdout, e.stderr)
}
