package connleaktest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/connleak/connleak/connleaktest"
	"github.com/connleak/connleak/diagnose"
)

// TestBadOptions stops a check at once with an error that names the
// option, what was wrong and what is accepted.
func TestBadOptions(t *testing.T) {
	for _, tt := range []struct {
		opt  connleaktest.Option
		want string
	}{
		{connleaktest.Allow("idle", 1), `connleaktest: Allow("idle", 1): unknown finding; want one of diagnose's: ` + strings.Join(allIDs(), ", ")},
		{connleaktest.Allow(diagnose.BodiesNotClosed, -1), `connleaktest: Allow("response-bodies-not-closed", -1): want a count of 0 or more`},
		{connleaktest.Deadline(0), "connleaktest: Deadline(0s): want a duration above 0"},
		{connleaktest.Deadline(-time.Second), "connleaktest: Deadline(-1s): want a duration above 0"},
	} {
		if got := runCase(t, func(testing.TB) {}, tt.opt); got != tt.want {
			t.Errorf("Check: %q, want %q", got, tt.want)
		}
		if err := connleaktest.Find(tt.opt); err == nil || err.Error() != tt.want {
			t.Errorf("Find: %v, want %q", err, tt.want)
		}
	}
}

func allIDs() []string {
	var ids []string
	for _, f := range diagnose.Findings() {
		ids = append(ids, f.ID)
	}
	return ids
}
