package server

// maxHeldCap bounds the default leak budget: 10,000 held connections cost
// server 2 about 20,000 goroutines, tens of megabytes, and as much again on
// server 1.
const maxHeldCap = 10000

// DefaultMaxHeld is the leak budget when FORWARD_MAX_HELD is not set: half
// the open-file limit, so that server 2 keeps file descriptors to accept and
// answer with, and at most maxHeldCap.
func DefaultMaxHeld() int {
	limit := openFileLimit()
	if limit == 0 || limit/2 > maxHeldCap {
		return maxHeldCap
	}
	return max(1, int(limit/2))
}
