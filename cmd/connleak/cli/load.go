package cli

import (
	"context"

	"github.com/connleak/connleak/demo"
)

// runLoad is the seed's curl loop against a server, built in.
func runLoad(ctx context.Context, args []string, e env) error {
	return demo.LoadCommand(ctx, args, e.stdout, e.stderr)
}
