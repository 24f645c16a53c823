// Package poll waits for a condition with a deadline: the one way connleak,
// and its tests, wait for something to happen, instead of sleeping.
package poll

import (
	"fmt"
	"time"
)

// Every is how often Until checks.
const Every = 10 * time.Millisecond

// Until calls check every Every until it returns nil, and returns nil then.
// If check still fails once timeout has passed since the first call, Until
// returns check's last error, saying how long it waited.
func Until(timeout time.Duration, check func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("after %v: %w", timeout, err)
		}
		time.Sleep(Every)
	}
}

// True adapts a condition to Until: nil when ok, else an error saying what
// was awaited.
func True(ok bool, awaited string) error {
	if ok {
		return nil
	}
	return fmt.Errorf("still waiting for %s", awaited)
}
