package collector

import (
	"net/netip"
	"os"
	"strconv"
	"syscall"
)

// readSockets reads the process's own TCP sockets: each file descriptor
// of /proc/self/fd that is one, asked for its addresses with getsockname
// and getpeername, and whether it listens. It costs a few system calls a
// socket of the process's, whatever the rest of the host holds (the
// namespace's socket tables, /proc/net/tcp, list every process's, and
// TIME_WAIT's, which the kernel writes out line by line). A descriptor
// closed, or reused, while it reads is skipped or read as it is then. A
// socket still connecting has no peer yet, and is not counted.
func readSockets(limit int) (sockets, error) {
	dir, err := os.Open("/proc/self/fd")
	if err != nil {
		return sockets{}, err
	}
	defer dir.Close()
	names, err := dir.Readdirnames(-1)
	if err != nil {
		return sockets{}, err
	}
	self := int(dir.Fd())
	var own []socket
	for _, name := range names {
		fd, err := strconv.Atoi(name)
		if err != nil || fd == self {
			continue
		}
		if s, ok := tcpSocket(fd); ok {
			own = append(own, s)
		}
	}
	return bySide(own, limit), nil
}

// tcpSocket is what the descriptor fd says of itself, if it is a TCP
// socket with its addresses: a listening one, or one connected.
func tcpSocket(fd int) (socket, bool) {
	if t, err := syscall.GetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_TYPE); err != nil || t != syscall.SOCK_STREAM {
		return socket{}, false // not a socket, or not a stream
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		return socket{}, false
	}
	local, ok := addrPort(sa)
	if !ok {
		return socket{}, false // a Unix socket: a stream of another family
	}
	if l, err := syscall.GetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_ACCEPTCONN); err == nil && l == 1 {
		return socket{local: local, listen: true}, true
	}
	pa, err := syscall.Getpeername(fd)
	if err != nil {
		return socket{}, false // not connected (yet, or any more)
	}
	remote, ok := addrPort(pa)
	return socket{local: local, remote: remote}, ok
}

// addrPort is an IPv4 or IPv6 socket address as an address and port, an
// IPv4 address in IPv6 as the IPv4 one.
func addrPort(sa syscall.Sockaddr) (netip.AddrPort, bool) {
	switch a := sa.(type) {
	case *syscall.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(a.Addr), uint16(a.Port)), true
	case *syscall.SockaddrInet6:
		return netip.AddrPortFrom(netip.AddrFrom16(a.Addr).Unmap(), uint16(a.Port)), true
	}
	return netip.AddrPort{}, false
}
