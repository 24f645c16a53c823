package collector

import (
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
)

// hosts are the open connections of every instrumented Transport, by the
// host:port dialled. An entry goes with its last connection, so the map
// holds the hosts connected to now, not every host ever.
var hosts = struct {
	sync.Mutex
	m map[string]*hostConns
}{m: map[string]*hostConns{}}

// hostConns counts a host's open connections, and those of them active.
type hostConns struct{ open, active atomic.Int64 }

// A conn is a counted connection of an instrumented Transport.
type conn struct {
	net.Conn
	addr string // the host:port dialled
	host *hostConns
	mu   sync.Mutex
	// calls are the calls on the connection now: one at most over HTTP/1,
	// its streams over HTTP/2. It is active while it has one.
	calls  int
	closed bool
}

// newConn counts c, dialled to addr, as open and idle.
func newConn(c net.Conn, addr string) *conn {
	hosts.Lock()
	h := hosts.m[addr]
	if h == nil {
		h = new(hostConns)
		hosts.m[addr] = h
	}
	h.open.Add(1)
	hosts.Unlock()
	return &conn{Conn: c, addr: addr, host: h}
}

// take counts a call that took the connection.
func (c *conn) take() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.calls++
	if c.calls == 1 {
		c.host.active.Add(1)
	}
}

// give counts a call done with the connection.
func (c *conn) give() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.calls == 0 {
		return
	}
	c.calls--
	if c.calls == 0 && !c.closed {
		c.host.active.Add(-1)
	}
}

// Close counts the connection gone, once, then closes it. Active goes
// down before open, so that a scrape, which reads open first, never sees
// more active connections than open ones. The host's last connection takes
// its entry with it.
func (c *conn) Close() error {
	c.mu.Lock()
	last := false
	if !c.closed {
		c.closed = true
		if c.calls > 0 {
			c.host.active.Add(-1)
		}
		last = c.host.open.Add(-1) == 0
	}
	c.mu.Unlock()
	if last {
		hosts.Lock()
		if hosts.m[c.addr] == c.host && c.host.open.Load() == 0 {
			delete(hosts.m, c.addr)
		}
		hosts.Unlock()
	}
	return c.Conn.Close()
}

// CloseWrite half-closes the connection, where the one under it can
// (net/http's protocol switch hands it on).
func (c *conn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return http.ErrNotSupported
}

// ReadFrom lets the connection under it copy as it can (sendfile, splice).
func (c *conn) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{c.Conn}, r)
}

// openConns is the open connections of the instrumented Transports by
// host, and those of them active, the limit with the most first and the
// rest as "other".
func openConns(limit int) []count {
	hosts.Lock()
	var cs []count
	for addr, h := range hosts.m {
		open := h.open.Load()
		if open == 0 {
			continue // its last connection is taking it out
		}
		cs = append(cs, count{addr, int(open), int(min(open, h.active.Load()))})
	}
	hosts.Unlock()
	return bounded(cs, limit)
}
