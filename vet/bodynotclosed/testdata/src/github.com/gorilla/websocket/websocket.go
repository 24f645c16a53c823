// Package websocket is a stand-in for github.com/gorilla/websocket: its
// Dial returns the handshake's response, whose body the library replaced
// and the caller need not close.
package websocket

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
)

type Conn struct{ c net.Conn }

type Dialer struct{}

func (d *Dialer) Dial(url string, h http.Header) (*Conn, *http.Response, error) {
	c, err := net.Dial("tcp", url)
	if err != nil {
		return nil, nil, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		c.Close()
		return nil, nil, err
	}
	resp.Body = io.NopCloser(strings.NewReader(""))
	return &Conn{c}, resp, nil
}

func (c *Conn) Close() error { return c.c.Close() }
