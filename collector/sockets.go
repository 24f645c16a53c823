package collector

import (
	"cmp"
	"errors"
	"net/netip"
	"slices"
	"strings"
)

// A count is how many connections have one address (the peer, the
// listener, the host dialled), and how many of them are active where that
// is counted.
type count struct {
	addr      string // "IP:port" or "host:port", or "other" past the bound
	n, active int
}

// sockets is what the process's own TCP sockets say: its outbound
// connections by remote address, its accepted ones by the address they
// were accepted on, each at most a limit of them by count and the rest as
// "other".
type sockets struct {
	client, server []count
}

// errNoSockets is readSockets' error on a system that does not list a
// process's sockets to it: the series are left out there.
var errNoSockets = errors.New("this system does not list a process's sockets")

// A socket is one of the process's TCP sockets.
type socket struct {
	local, remote netip.AddrPort
	listen        bool
}

// bySide counts the sockets that are not listening: by the listener they
// were accepted on, where their local address is a listening socket's of
// the process (its address, or the unspecified one on its port), else by
// their remote address.
func bySide(own []socket, limit int) sockets {
	listeners := map[netip.AddrPort]bool{}
	for _, s := range own {
		if s.listen {
			listeners[s.local] = true
		}
	}
	client, server := map[string]int{}, map[string]int{}
	seen := map[[2]netip.AddrPort]bool{} // a connection with two descriptors (a dup, File()) counts once
	for _, s := range own {
		if s.listen || seen[[2]netip.AddrPort{s.local, s.remote}] {
			continue
		}
		seen[[2]netip.AddrPort{s.local, s.remote}] = true
		if l, ok := listenerOf(s.local, listeners); ok {
			server[l.String()]++
		} else {
			client[s.remote.String()]++
		}
	}
	return sockets{bounded(counts(client), limit), bounded(counts(server), limit)}
}

// listenerOf is the listening address a connection with local address
// local was accepted on, if the process listens there.
func listenerOf(local netip.AddrPort, listeners map[netip.AddrPort]bool) (netip.AddrPort, bool) {
	if listeners[local] {
		return local, true
	}
	for _, unspecified := range []netip.Addr{netip.IPv4Unspecified(), netip.IPv6Unspecified()} {
		if l := netip.AddrPortFrom(unspecified, local.Port()); listeners[l] {
			return l, true
		}
	}
	return netip.AddrPort{}, false
}

// counts are the counts of a map, by address.
func counts(m map[string]int) []count {
	var cs []count
	for addr, n := range m {
		cs = append(cs, count{addr: addr, n: n})
	}
	return cs
}

// bounded is cs, the limit largest first (ties by address), and the rest
// summed as "other".
func bounded(cs []count, limit int) []count {
	slices.SortFunc(cs, func(a, b count) int { return cmp.Or(b.n-a.n, strings.Compare(a.addr, b.addr)) })
	if len(cs) <= limit {
		return cs
	}
	other := count{addr: "other"}
	for _, c := range cs[limit:] {
		other.n += c.n
		other.active += c.active
	}
	return append(cs[:limit], other)
}
