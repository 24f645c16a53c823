package collector

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestParseAddr(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"0100007F:1F90", "127.0.0.1:8080", ""},
		{"00000000:0050", "0.0.0.0:80", ""},
		{"00000000000000000000000001000000:01BB", "[::1]:443", ""},
		{"0000000000000000FFFF00000100007F:1F90", "127.0.0.1:8080", ""}, // IPv4 in IPv6, as tcp6 lists it
		{"0100007F", "", "want 8 or 32 hex digits"},
		{"0100007:1F90", "", "want 8 or 32 hex digits"},
		{"0100007F:1F9G", "", "want 8 or 32 hex digits"},
		{"0100007F:10000", "", "want 8 or 32 hex digits"},
	}
	if !littleEndian {
		t.Skip("the cases are written as a little-endian kernel writes them")
	}
	for _, tt := range tests {
		got, err := parseAddr(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), tt.in) {
				t.Errorf("parseAddr(%q) = %v, %v; want an error naming it and %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || got.String() != tt.want {
			t.Errorf("parseAddr(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

// fakeProc writes a proc file system for readSockets: the process's file
// descriptors, sockets and others, and the namespace's tables, with
// sockets of other processes.
func fakeProc(t *testing.T, fds map[string]string, tcp, tcp6 string) string {
	t.Helper()
	root := t.TempDir()
	for _, dir := range []string{"self/fd", "self/net"} {
		if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for fd, target := range fds {
		if err := os.Symlink(target, filepath.Join(root, "self/fd", fd)); err != nil {
			t.Fatal(err)
		}
	}
	const header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
	for name, body := range map[string]string{"tcp": tcp, "tcp6": tcp6} {
		if body == "" {
			continue
		}
		if err := os.WriteFile(filepath.Join(root, "self/net", name), []byte(header+body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// line is a socket table's line for a socket of inode.
func line(local, remote, state, inode string) string {
	return "   0: " + local + " " + remote + " " + state + " 00000000:00000000 00:00000000 00000000  1000        0 " + inode + " 1 0000000000000000 20 4 30 10 -1\n"
}

// TestReadSockets reads a fake proc file system: the process's own sockets
// only, accepted ones by their listener (its address, or the unspecified
// one on its port), the others by peer, IPv4 and IPv6, and at most the
// bound of them, the rest as other.
func TestReadSockets(t *testing.T) {
	if !littleEndian {
		t.Skip("the tables are written as a little-endian kernel writes them")
	}
	fds := map[string]string{"0": "/dev/null", "1": "pipe:[7]"}
	var tcp, tcp6 string
	add := func(table *string, local, remote, state string) {
		inode := 1000 + len(fds)
		fds[itoa(len(fds))] = "socket:[" + itoa(inode) + "]"
		*table += line(local, remote, state, itoa(inode))
	}
	add(&tcp, "0100007F:1F90", "00000000:0000", stateListen)                                                  // listening on 127.0.0.1:8080
	add(&tcp6, "00000000000000000000000000000000:2382", "00000000000000000000000000000000:0000", stateListen) // on [::]:9090
	for range 3 {                                                                                             // accepted on 127.0.0.1:8080
		add(&tcp, "0100007F:1F90", "0100007F:C000", "01")
	}
	add(&tcp6, "0000000000000000FFFF00000100007F:2382", "0000000000000000FFFF00000100007F:C001", "01") // accepted on [::]:9090, from IPv4
	for range 2 {                                                                                      // to 10.0.0.1:443, one of them closed by the peer
		add(&tcp, "0100007F:C002", "0100000A:01BB", "01")
	}
	add(&tcp, "0100007F:C003", "0100000A:01BB", "08")
	add(&tcp, "0100007F:C004", "0200000A:01BB", "01")            // to 10.0.0.2:443
	add(&tcp, "0100007F:C005", "0300000A:01BB", "01")            // to 10.0.0.3:443
	tcp += line("0100007F:C006", "0400000A:01BB", "01", "99999") // another process's
	root := fakeProc(t, fds, tcp, tcp6)

	got, err := readSockets(root, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := sockets{
		client: []count{{addr: "10.0.0.1:443", n: 3}, {addr: "10.0.0.2:443", n: 1}, {addr: "other", n: 1}},
		server: []count{{addr: "127.0.0.1:8080", n: 3}, {addr: "[::]:9090", n: 1}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("readSockets = %+v, want %+v", got, want)
	}

	// A kernel without IPv6 has no tcp6; one without tcp is no proc file
	// system connleak reads.
	root = fakeProc(t, fds, tcp, "")
	if _, err := readSockets(root, 20); err != nil {
		t.Errorf("no tcp6: %v", err)
	}
	root = fakeProc(t, fds, "", tcp6)
	if _, err := readSockets(root, 20); err == nil || !strings.Contains(err.Error(), "net/tcp") {
		t.Errorf("no tcp: %v, want an error naming it", err)
	}
	root = fakeProc(t, fds, tcp+line("0100007F", "0100000A:01BB", "01", "1003"), "")
	if _, err := readSockets(root, 20); err == nil || !strings.Contains(err.Error(), `socket address "0100007F"`) {
		t.Errorf("a bad line: %v, want an error naming its address", err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
