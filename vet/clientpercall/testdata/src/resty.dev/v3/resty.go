// Package resty is a stand-in for resty.dev/v3 in the analyzers' tests:
// the few names they look for, with Resty's signatures.
package resty

import "net/http"

type Client struct{ hc *http.Client }

func New() *Client                                         { return &Client{hc: &http.Client{}} }
func NewWithClient(hc *http.Client) *Client                { return &Client{hc: hc} }
func (c *Client) SetTransport(t http.RoundTripper) *Client { return c }
func (c *Client) R() *Request                              { return &Request{} }
func (c *Client) Client() *http.Client                     { return c.hc }
func (c *Client) Close() error                             { return nil }

type Request struct{}

func (r *Request) Get(url string) (*Response, error) { return &Response{}, nil }

type Response struct{}
