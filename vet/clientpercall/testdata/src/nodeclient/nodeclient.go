// Package nodeclient holds an SDK's client for one node, made per call: a
// helper copies the shared client and gives the copy a Transport of its
// own, each field copied from the shared one (DisableKeepAlives too, known
// only at run time), and a constructor keeps the copy in the Client it
// returns. A caller that drops that Client drops a pool per call, unless
// DisableKeepAlives is true (nodeclients, for the facts that say so
// across packages).
package nodeclient

import (
	"errors"
	"net"
	"net/http"
	"time"
)

// Client talks to one node.
type Client struct {
	addr string
	hc   *http.Client
	last *http.Client
}

// withTimeout is hc with a dial timeout, on a Transport of its own; hc
// itself for a negative timeout.
func withTimeout(hc *http.Client, d time.Duration) (*http.Client, error) {
	if d < 0 {
		return hc, nil
	}
	tr, ok := hc.Transport.(*http.Transport)
	if !ok {
		return nil, errors.New("not an *http.Transport")
	}
	ntr := &http.Transport{
		Proxy:             tr.Proxy,
		DisableKeepAlives: tr.DisableKeepAlives,
		IdleConnTimeout:   tr.IdleConnTimeout,
	}
	ntr.DialContext = (&net.Dialer{Timeout: d}).DialContext
	copied := *hc
	copied.Transport = ntr
	return &copied, nil
}

// Node is a Client for the node at addr, dialled with a timeout: a
// constructor, whose pool is none where the shared Transport's
// DisableKeepAlives is true.
func (c *Client) Node(addr string, d time.Duration) (*Client, error) { // want Node:`makes\(an http.Transport, unless DisableKeepAlives is true\)`
	hc, err := withTimeout(c.hc, d)
	if err != nil {
		hc = c.hc
	}
	return &Client{addr: addr, hc: hc}, nil
}

// CloseIdleConnections releases the Client's pool.
func (c *Client) CloseIdleConnections() { // want CloseIdleConnections:`keeps\(\)`
	c.hc.CloseIdleConnections()
}

func (c *Client) get(path string) error {
	resp, err := c.hc.Get("http://" + c.addr + path)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// cat asks the node first, then the server: each call makes a pool for
// the node and drops it.
func cat(c *Client, addr, path string) error {
	node, _ := c.Node(addr, time.Second) // want `an http.Transport made per call by Node \(and dropped when the function returns\): a connection pool nothing shares, unless DisableKeepAlives is true`
	if node != nil && node.get(path) == nil {
		return nil
	}
	return c.get(path)
}

// ping asks the node on a copy of the client: a pool per call as well.
func ping(c *Client, addr string) bool {
	hc, err := withTimeout(c.hc, time.Second) // want `an http.Transport made per call by withTimeout \(and dropped when the function returns\): a connection pool nothing shares, unless DisableKeepAlives is true`
	if err != nil {
		return false
	}
	resp, err := hc.Get("http://" + addr + "/ping")
	if err != nil {
		return false
	}
	return resp.Body.Close() == nil
}

// Near misses: the Client kept in a field, returned, or released.

func (c *Client) keep(addr string) {
	node, _ := c.Node(addr, time.Second)
	if node != nil {
		c.last = node.hc
	}
}

func (c *Client) nodeOf(addr string) (*Client, error) {
	return c.Node(addr, time.Second)
}

func closed(c *Client, addr string) error {
	node, _ := c.Node(addr, time.Second)
	if node == nil {
		return c.get("/")
	}
	defer node.CloseIdleConnections()
	return node.get("/")
}
