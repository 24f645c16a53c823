package poll

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestUntil(t *testing.T) {
	calls := 0
	if err := Until(time.Second, func() error {
		calls++
		return True(calls == 3, "the third call")
	}); err != nil || calls != 3 {
		t.Errorf("Until: %v after %d calls, want nil after 3", err, calls)
	}

	errNo := errors.New("not yet")
	calls = 0
	err := Until(3*Every, func() error { calls++; return errNo })
	if !errors.Is(err, errNo) || !strings.Contains(err.Error(), "after 30ms") {
		t.Errorf("Until on a check that never holds: %v, want the check's error and how long it waited", err)
	}
	if calls < 2 {
		t.Errorf("the check ran %d times in %v, want it retried", calls, 3*Every)
	}
}

func TestUntilContextStops(t *testing.T) {
	gone := errors.New("the process exited")
	calls := 0
	err := UntilContext(t.Context(), time.Minute, func() error { calls++; return Stop(gone) })
	if err != gone || calls != 1 {
		t.Errorf("UntilContext on a check that says stop: %v after %d calls, want %v after 1", err, calls, gone)
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err = UntilContext(ctx, time.Minute, func() error { return errors.New("not yet") })
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "not yet") {
		t.Errorf("UntilContext with its context ended: %v, want context.Canceled and the check's error", err)
	}
}
