// Package nodeclients calls nodeclient's constructor from another
// package: its fact carries that the pool is none where DisableKeepAlives
// is true.
package nodeclients

import (
	"time"

	"nodeclient"
)

func each(c *nodeclient.Client, addrs []string) {
	for _, addr := range addrs {
		node, err := c.Node(addr, time.Second) // want `an http.Transport made per call by Node \(inside a loop\): a connection pool nothing shares, unless DisableKeepAlives is true`
		_, _ = node, err
	}
}

// Near miss: kept in a package variable.

var nodes []*nodeclient.Client

func register(c *nodeclient.Client, addr string) {
	node, err := c.Node(addr, time.Second)
	if err == nil {
		nodes = append(nodes, node)
	}
}
