package collector

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// maxSocketTable bounds what a scrape reads of each of the network
// namespace's socket tables: 64 MiB is about 400,000 sockets, more than a
// host holds in practice.
const maxSocketTable = 64 << 20

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

// readSockets reads the process's TCP sockets from the proc file system at
// root ("/proc" on Linux): the socket inodes of root/self/fd, looked up in
// root/self/net/tcp and tcp6, which list the whole network namespace's.
func readSockets(root string, limit int) (sockets, error) {
	inodes, err := socketInodes(filepath.Join(root, "self", "fd"))
	if err != nil {
		return sockets{}, err
	}
	var own []socket
	for _, table := range []string{"tcp", "tcp6"} {
		s, err := readTable(filepath.Join(root, "self", "net", table), inodes)
		if err != nil && !(table == "tcp6" && errors.Is(err, os.ErrNotExist)) { // a kernel without IPv6 has no tcp6
			return sockets{}, err
		}
		own = append(own, s...)
	}
	return bySide(own, limit), nil
}

// socketInodes are the inodes of the sockets among the file descriptors of
// dir.
func socketInodes(dir string) (map[uint64]bool, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	inodes := make(map[uint64]bool)
	for _, e := range entries {
		target, err := os.Readlink(filepath.Join(dir, e.Name()))
		if err != nil { // closed since the directory was read
			continue
		}
		if s, ok := strings.CutPrefix(target, "socket:["); ok {
			if n, err := strconv.ParseUint(strings.TrimSuffix(s, "]"), 10, 64); err == nil {
				inodes[n] = true
			}
		}
	}
	return inodes, nil
}

// A socket is one line of a socket table.
type socket struct {
	local, remote netip.AddrPort
	listen        bool
}

// stateListen is a listening socket's state in a socket table (TCP_LISTEN).
const stateListen = "0A"

// readTable reads the sockets of a table (/proc/net/tcp's form) whose
// inodes are among inodes, reading at most maxSocketTable bytes.
func readTable(path string, inodes map[uint64]bool) ([]socket, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	lr := &io.LimitedReader{R: f, N: maxSocketTable + 1}
	sc := bufio.NewScanner(lr)
	var own []socket
	for first := true; sc.Scan(); first = false {
		line := sc.Bytes()
		var fields [10][]byte // sl, local, remote, state, queues, timer, retransmits, uid, timeout, inode
		n := 0
		for f := range bytes.FieldsSeq(line) {
			if n == len(fields) {
				break
			}
			fields[n] = f
			n++
		}
		if first || n < len(fields) {
			continue // the header
		}
		inode, err := strconv.ParseUint(string(fields[9]), 10, 64)
		if err != nil || !inodes[inode] {
			continue // another process's: most lines, where the namespace is busy
		}
		local, err1 := parseAddr(string(fields[1]))
		remote, err2 := parseAddr(string(fields[2]))
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		own = append(own, socket{local, remote, string(fields[3]) == stateListen})
	}
	if lr.N == 0 {
		return nil, fmt.Errorf("%s: over %d MiB: more sockets than connleak reads", path, maxSocketTable>>20)
	}
	return own, sc.Err()
}

// parseAddr parses a socket table's address, such as 0100007F:1F90
// (127.0.0.1:8080): the address in hexadecimal, in 32-bit words each in
// the host's order (little-endian on the machines Go runs Linux on but
// s390x, mips and ppc64), then the port.
func parseAddr(s string) (netip.AddrPort, error) {
	h, p, ok := strings.Cut(s, ":")
	port, err := strconv.ParseUint(p, 16, 16)
	b, err2 := hex.DecodeString(h)
	if !ok || err != nil || err2 != nil || (len(b) != 4 && len(b) != 16) {
		return netip.AddrPort{}, fmt.Errorf("socket address %q: want 8 or 32 hex digits, a colon and 4", s)
	}
	if littleEndian {
		for i := 0; i < len(b); i += 4 {
			slices.Reverse(b[i : i+4])
		}
	}
	a, _ := netip.AddrFromSlice(b)
	return netip.AddrPortFrom(a.Unmap(), uint16(port)), nil
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
	for _, s := range own {
		if s.listen {
			continue
		}
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

// littleEndian says whether this machine writes a 32-bit word's lowest
// byte first, as the kernel's socket tables then do.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1
