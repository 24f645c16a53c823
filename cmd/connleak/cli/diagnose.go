package cli

import (
	"context"

	"github.com/connleak/connleak/diagnose"
)

// runDiagnose reads goroutine dumps and says what their HTTP connections hold.
func runDiagnose(ctx context.Context, args []string, e env) error {
	return diagnose.Command(ctx, args, e.stdin, e.stdout, e.stderr)
}
