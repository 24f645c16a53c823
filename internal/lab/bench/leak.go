package bench

import (
	"context"
	"fmt"
	"net/http"

	"github.com/connleak/connleak/internal/lab/demo"
	"github.com/connleak/connleak/internal/lab/load"
)

// Leak starts a fresh pair, server 2 with env2 too, and leaks goroutines/2
// connections from server 2 to server 1, two goroutines each on server 2
// (readLoop and writeLoop): the process Stats and ProbeCost measure. Call
// Stop on the pair when done, whatever Leak returned.
func Leak(ctx context.Context, exe, dir string, goroutines int, env2 ...string) (*demo.Pair, error) {
	p, err := leakyPair(ctx, exe, dir, goroutines/2, env2...)
	if err != nil {
		return p, err
	}
	return p, leak(ctx, p, goroutines/2)
}

// leakyPair starts a lab pair whose server 2, with env2 too, may hold up to
// conns leaked connections to server 1 (FORWARD_MAX_HELD), and a few more.
// Call Stop when done, whatever it returned.
func leakyPair(ctx context.Context, exe, dir string, conns int, env2 ...string) (*demo.Pair, error) {
	return demo.StartPair(ctx, exe, dir, nil, append([]string{fmt.Sprintf("FORWARD_MAX_HELD=%d", conns+10)}, env2...))
}

// leak has server 2 of p leak conns more connections, two goroutines each
// (readLoop and writeLoop), with /forward's defaults: a new client per
// request, none closed. Every request must be answered 200.
func leak(ctx context.Context, p *demo.Pair, conns int) error {
	sum, err := load.Run(ctx, load.Config{URL: p.Server2.URL + "/forward", N: conns, C: 8, KeepAlive: true})
	if err != nil {
		return err
	}
	if sum.ByStatus[http.StatusOK] != conns {
		return fmt.Errorf("leaking %d connections: %v", conns, sum)
	}
	return nil
}
