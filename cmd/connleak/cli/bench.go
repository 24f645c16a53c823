package cli

import (
	"context"

	"github.com/connleak/connleak/demo"
)

// runBench measures what each client configuration costs.
func runBench(ctx context.Context, args []string, e env) error {
	return demo.BenchCommand(ctx, args, e.stdout, e.stderr)
}
