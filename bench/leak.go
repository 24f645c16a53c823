package bench

import (
	"context"
	"fmt"
	"net/http"

	"github.com/connleak/connleak/demo"
	"github.com/connleak/connleak/load"
)

// Leak starts a fresh pair, server 2 with env2 too, and leaks goroutines/2
// connections from server 2 to server 1, two goroutines each on server 2
// (readLoop and writeLoop): the process Stats and ProbeCost measure. Call
// Stop on the pair when done, whatever Leak returned.
func Leak(ctx context.Context, exe, dir string, goroutines int, env2 ...string) (*demo.Pair, error) {
	conns := goroutines / 2
	env2 = append([]string{fmt.Sprintf("FORWARD_MAX_HELD=%d", conns+10)}, env2...)
	p, err := demo.StartPair(ctx, exe, dir, nil, env2)
	if err != nil {
		return p, err
	}
	sum, err := load.Run(ctx, load.Config{URL: p.Server2.URL + "/forward", N: conns, C: 8, KeepAlive: true})
	if err != nil {
		return p, err
	}
	if sum.ByStatus[http.StatusOK] != conns {
		return p, fmt.Errorf("leaking %d connections: %v", conns, sum)
	}
	return p, nil
}
