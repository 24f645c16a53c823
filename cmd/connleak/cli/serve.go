package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"

	"github.com/connleak/connleak/server"
)

// runServe starts one lab server, configured by the environment, and runs it
// until ctx is done.
func runServe(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("connleak serve", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: connleak [serve]\n\nOne lab server, configured by the environment: BIND_ADDRESS, UPSTREAM_URL, CONNECTION_CLOSE,\nSERVER_IDLE_TIMEOUT, SERVER_PROTO and FORWARD_<PARAMETER> defaults for /forward. See docs/reference.md.")
	}
	if err := parseFlags(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve takes no arguments, got %q", fs.Args())
	}
	cfg, err := server.ConfigFromEnv(e.getenv)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.BindAddress)
	if err != nil {
		return fmt.Errorf("listen on BIND_ADDRESS=%q: %w", cfg.BindAddress, err)
	}
	return server.New(cfg).Serve(ctx, ln, slog.New(slog.NewTextHandler(e.stderr, nil)))
}
