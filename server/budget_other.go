//go:build !unix

package server

// openFileLimit is unknown here; DefaultMaxHeld falls back to its cap.
func openFileLimit() uint64 { return 0 }
