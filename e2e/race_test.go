//go:build race

package e2e

// race is whether this test binary runs with the race detector: then so
// does the connleak binary it builds.
const race = true
