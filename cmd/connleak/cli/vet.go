package cli

import (
	"context"

	"github.com/connleak/connleak/vet"
)

// runVet finds the leaky patterns in a module's code.
func runVet(ctx context.Context, args []string, e env) error {
	return vet.Command(ctx, args, e.stdout, e.stderr)
}
