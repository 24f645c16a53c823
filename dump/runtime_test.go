package dump_test

import (
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/connleak/connleak/dump"
	"github.com/connleak/connleak/internal/poll"
	"github.com/connleak/connleak/internal/testutil"
)

// TestReadRuntime reads this process's own goroutines: the parked ones in
// one group, with their labels or not, innermost call first with the
// runtime's frames, and every goroutine counted.
func TestReadRuntime(t *testing.T) {
	for _, labelled := range []bool{false, true} {
		t.Run("labelled="+strconv.FormatBool(labelled), func(t *testing.T) {
			const n = 50
			var labels func(int) []string
			if labelled {
				labels = func(i int) []string { return []string{"i", strconv.Itoa(i)} }
			}
			testutil.Park(t, n, labels)
			total, group := 0, (*dump.Goroutine)(nil)
			format, err := dump.ReadRuntime(func(g *dump.Goroutine) {
				total += g.Count
				for _, f := range g.Frames {
					if strings.HasPrefix(f.Func, "github.com/connleak/connleak/internal/testutil.Park.") {
						group = g
					}
				}
			})
			if err != nil || format != dump.Runtime {
				t.Fatalf("format %q, %v", format, err)
			}
			if group == nil || group.Count != n {
				t.Fatalf("the parked goroutines: %+v, want one group of %d", group, n)
			}
			if top := group.Frames[0].Func; !strings.HasPrefix(top, "runtime.") || group.Frames[0].Line == 0 || group.Labels != "" {
				t.Errorf("top frame %+v, labels %q: want the runtime's park, with its line, and no labels", group.Frames[0], group.Labels)
			}
			if g := runtime.NumGoroutine(); total < n+1 || total > g+5 {
				t.Errorf("%d goroutines read, want about runtime.NumGoroutine's %d", total, g)
			}
		})
	}
}

//go:noinline
func parked(release chan struct{}) { <-release }

// deep calls itself depth times, then parks.
func deep(depth int, release chan struct{}) {
	if depth == 0 {
		parked(release)
		return
	}
	deep(depth-1, release)
}

// TestReadRuntimeDeep reads a process with a stack deeper than a
// StackRecord holds: ErrDeepStacks, before any goroutine is handed on.
func TestReadRuntimeDeep(t *testing.T) {
	release := make(chan struct{})
	done := make(chan struct{})
	defer func() { close(release); <-done }()
	started := make(chan struct{})
	go func() {
		defer close(done)
		close(started)
		deep(100, release)
	}()
	<-started
	handed := 0
	if err := poll.Until(10*time.Second, func() error {
		handed = 0
		_, err := dump.ReadRuntime(func(*dump.Goroutine) { handed++ })
		return poll.True(errors.Is(err, dump.ErrDeepStacks), fmt.Sprintf("ErrDeepStacks, not %v", err))
	}); err != nil {
		t.Fatal(err)
	}
	if handed != 0 {
		t.Errorf("%d goroutines handed on before ErrDeepStacks, want none", handed)
	}
}
