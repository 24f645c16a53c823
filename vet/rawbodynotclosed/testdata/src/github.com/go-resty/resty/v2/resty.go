// Package resty is a stand-in for github.com/go-resty/resty/v2 in the
// analyzers' tests: the few names they look for, with Resty's signatures.
package resty

import (
	"io"
	"net/http"
)

type Client struct{ hc *http.Client }

func New() *Client                                         { return &Client{hc: &http.Client{}} }
func NewWithClient(hc *http.Client) *Client                { return &Client{hc: hc} }
func (c *Client) SetTransport(t http.RoundTripper) *Client { return c }
func (c *Client) R() *Request                              { return &Request{} }

type Request struct{}

func (r *Request) SetDoNotParseResponse(b bool) *Request { return r }
func (r *Request) Get(url string) (*Response, error)     { return &Response{}, nil }

type Response struct{ body io.ReadCloser }

func (r *Response) RawBody() io.ReadCloser { return r.body }
