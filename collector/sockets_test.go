package collector

import (
	"net"
	"net/netip"
	"reflect"
	"runtime"
	"testing"
)

// TestBySide sorts sockets by side: accepted ones by their listener (its
// address, or the unspecified one on its port), the others by peer, at
// most the bound of them, the rest as other.
func TestBySide(t *testing.T) {
	ap := netip.MustParseAddrPort
	own := []socket{
		{local: ap("127.0.0.1:8080"), listen: true},
		{local: ap("[::]:9090"), listen: true},
		{local: ap("127.0.0.1:8080"), remote: ap("127.0.0.1:40000")}, // accepted on 127.0.0.1:8080
		{local: ap("127.0.0.1:8080"), remote: ap("127.0.0.1:40001")},
		{local: ap("127.0.0.1:8080"), remote: ap("127.0.0.1:40002")},
		{local: ap("10.0.0.9:9090"), remote: ap("10.0.0.5:40003")}, // accepted on [::]:9090
		{local: ap("127.0.0.1:40010"), remote: ap("10.0.0.1:443")}, // made, to three peers
		{local: ap("127.0.0.1:40011"), remote: ap("10.0.0.1:443")},
		{local: ap("127.0.0.1:40012"), remote: ap("10.0.0.1:443")},
		{local: ap("127.0.0.1:40013"), remote: ap("10.0.0.2:443")},
		{local: ap("127.0.0.1:40014"), remote: ap("10.0.0.3:443")},
		{local: ap("10.0.0.9:8080"), remote: ap("10.0.0.4:443")},   // on a listening port, another address: made
		{local: ap("127.0.0.1:40014"), remote: ap("10.0.0.3:443")}, // a second descriptor of one connection
	}
	got := bySide(own, 2)
	want := sockets{
		client: []count{{addr: "10.0.0.1:443", n: 3}, {addr: "10.0.0.2:443", n: 1}, {addr: "other", n: 2}},
		server: []count{{addr: "127.0.0.1:8080", n: 3}, {addr: "[::]:9090", n: 1}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("bySide = %+v, want %+v", got, want)
	}
}

// TestReadSockets reads the process's own sockets: a listener's accepted
// connections by it, the connections made by peer, and nothing of a UDP
// socket, a Unix socket or a listener with no connection.
func TestReadSockets(t *testing.T) {
	if runtime.GOOS != "linux" {
		if _, err := readSockets(20); err != errNoSockets {
			t.Errorf("readSockets on %s: %v, want errNoSockets", runtime.GOOS, err)
		}
		return
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	idle, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	udp, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()
	unix, err := net.Listen("unix", t.TempDir()+"/s")
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close()
	const n = 3
	for range n {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		s, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
	}
	got, err := readSockets(20)
	if err != nil {
		t.Fatal(err)
	}
	find := func(cs []count, addr string) int {
		for _, c := range cs {
			if c.addr == addr {
				return c.n
			}
		}
		return 0
	}
	addr := ln.Addr().String()
	if c, s := find(got.client, addr), find(got.server, addr); c != n || s != n {
		t.Errorf("%s: %d connections made to it, %d accepted on it; want %d and %d\n%+v", addr, c, s, n, n, got)
	}
	for _, other := range []string{idle.Addr().String(), udp.LocalAddr().String()} {
		if find(got.client, other)+find(got.server, other) != 0 {
			t.Errorf("%s counted: %+v", other, got)
		}
	}
}
