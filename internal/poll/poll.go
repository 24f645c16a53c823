// Package poll waits for a condition with a deadline: the one way connleak,
// and its tests, wait for something to happen, instead of sleeping.
package poll

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Every is how often Until checks.
const Every = 10 * time.Millisecond

// Until calls check every Every until it returns nil, and returns nil then.
// If check still fails once timeout has passed since the first call, Until
// returns check's last error, saying how long it waited.
func Until(timeout time.Duration, check func() error) error {
	return UntilContext(context.Background(), timeout, check)
}

// UntilContext is Until, that also gives up when ctx ends, with ctx's
// error, and at once where check returns an error made by Stop (what it
// awaits cannot happen now: the process that was to do it has exited).
func UntilContext(ctx context.Context, timeout time.Duration, check func() error) error {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(Every)
	defer tick.Stop()
	for {
		err := check()
		var stop stopError
		switch {
		case err == nil:
			return nil
		case errors.As(err, &stop):
			return stop.err
		case time.Now().After(deadline):
			return fmt.Errorf("after %v: %w", timeout, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: %w", ctx.Err(), err)
		case <-tick.C:
		}
	}
}

// Stop makes err an error that ends UntilContext at once, returned as err.
func Stop(err error) error { return stopError{err} }

type stopError struct{ err error }

func (e stopError) Error() string { return e.err.Error() }
func (e stopError) Unwrap() error { return e.err }

// True adapts a condition to Until: nil when ok, else an error saying what
// was awaited.
func True(ok bool, awaited string) error {
	if ok {
		return nil
	}
	return fmt.Errorf("still waiting for %s", awaited)
}
