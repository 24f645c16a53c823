package connleaktest

import (
	"runtime"
	"sync"
	"testing"
)

// TestStartPool takes what the pools held at a test's start from the last
// look of a check, where at most one goroutine, the test's own, has
// started since, and from a goroutine profile of its own where more have.
func TestStartPool(t *testing.T) {
	for _, tt := range []struct {
		name        string
		since       int // goroutines started between the look and the start
		fromProfile bool
	}{
		{"none started since the last look", 0, false},
		{"one started, the test's", 1, false},
		{"two started", 2, true},
		{"many started", 50, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// The garbage collector starts its workers, goroutines, at
			// its first cycles: not between the look and the start.
			runtime.GC()
			if _, err := (scope{who: "TestX", check: "none"}).diagnose(nil, 0, nil); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			for range tt.since {
				wg.Go(func() {})
			}
			wg.Wait()
			if p := startPool(); (p.profile != nil) != tt.fromProfile {
				t.Errorf("read a profile of its own: %v, want %v", p.profile != nil, tt.fromProfile)
			}
		})
	}
}
