package poll

import (
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
