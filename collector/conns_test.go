package collector

import (
	"net"
	"testing"
)

// TestHostsGoWithTheirConnections checks that a host's entry goes with its
// last connection, scraped or not: a process that dials many hosts over
// its life keeps only those connected to now.
func TestHostsGoWithTheirConnections(t *testing.T) {
	const addr = "hosts-test.invalid:443"
	var conns []*conn
	for range 2 {
		a, b := net.Pipe()
		defer b.Close()
		conns = append(conns, newConn(a, addr))
	}
	conns[0].take()
	if h := hosts.m[addr]; h == nil || h.open.Load() != 2 || h.active.Load() != 1 {
		t.Fatalf("after two dials and a call: %+v, want 2 open, 1 active", h)
	}
	conns[0].Close()
	conns[0].give() // a call done after its connection closed counts nothing
	if h := hosts.m[addr]; h == nil || h.open.Load() != 1 || h.active.Load() != 0 {
		t.Fatalf("after one closed: %+v, want 1 open, 0 active", h)
	}
	conns[1].Close()
	conns[1].Close() // closed twice, counted once
	hosts.Lock()
	_, ok := hosts.m[addr]
	hosts.Unlock()
	if ok {
		t.Errorf("%s still in hosts with no connection", addr)
	}
}
