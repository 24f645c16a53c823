//go:build !linux

package collector

// readSockets is errNoSockets: only Linux lists a process's sockets to it
// (/proc/self/fd).
func readSockets(int) (sockets, error) { return sockets{}, errNoSockets }
