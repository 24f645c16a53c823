package bench

import (
	"context"
	"fmt"
	"net/http"

	"github.com/connleak/connleak/demo"
	"github.com/connleak/connleak/load"
)

// leakyPair starts a lab pair whose server 2 may hold up to conns leaked
// connections to server 1 (FORWARD_MAX_HELD), and a few more. Call Stop when
// done, whatever it returned.
func leakyPair(ctx context.Context, exe, dir string, conns int) (*demo.Pair, error) {
	return demo.StartPair(ctx, exe, dir, nil, []string{fmt.Sprintf("FORWARD_MAX_HELD=%d", conns+10)})
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
