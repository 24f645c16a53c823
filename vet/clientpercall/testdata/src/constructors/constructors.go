// Package constructors holds an SDK's constructors, for the fact that
// says what each makes to cross a package boundary.
package constructors

import (
	"net/http"
	"time"
)

// Client is an SDK's client, on a pool of its own.
type Client struct{ hc *http.Client }

// NewClient makes a pool and returns it in a Client.
func NewClient() *Client { // want NewClient:`makes\(an http.Client with a Transport of its own\)`
	return &Client{hc: &http.Client{Transport: &http.Transport{IdleConnTimeout: time.Minute}}}
}

// NewShared makes a Client on net/http's shared pool: no constructor.
func NewShared() *Client { // want NewShared:`keeps\(\)`
	return &Client{hc: http.DefaultClient}
}

var clients []*Client

// NewRegistered keeps what it makes: no constructor.
func NewRegistered() *Client { // want NewRegistered:`keeps\(\)`
	c := &Client{hc: &http.Client{Transport: &http.Transport{}}}
	clients = append(clients, c)
	return c
}
