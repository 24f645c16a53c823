// Package resty is a stand-in for github.com/go-resty/resty/v2 in the
// analyzer's tests: the few names it looks for, with Resty's signatures.
package resty

import (
	"io"
	"net/http"
)

type Client struct {
	hc      *http.Client
	noParse bool
}

func New() *Client                                         { return &Client{hc: &http.Client{}} }
func NewWithClient(hc *http.Client) *Client                { return &Client{hc: hc} }
func (c *Client) SetTransport(t http.RoundTripper) *Client { return c }
func (c *Client) SetDoNotParseResponse(b bool) *Client     { c.noParse = b; return c }
func (c *Client) R() *Request                              { return &Request{client: c} }

type Request struct {
	client  *Client
	noParse bool
}

func (r *Request) SetDoNotParseResponse(b bool) *Request { r.noParse = b; return r }
func (r *Request) SetHeader(k, v string) *Request        { return r }
func (r *Request) Get(url string) (*Response, error)     { return r.Execute(http.MethodGet, url) }
func (r *Request) Post(url string) (*Response, error)    { return r.Execute(http.MethodPost, url) }
func (r *Request) Head(url string) (*Response, error)    { return r.Execute(http.MethodHead, url) }
func (r *Request) Execute(method, url string) (*Response, error) {
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := r.client.hc.Do(req)
	if err != nil {
		return nil, err
	}
	return &Response{RawResponse: resp}, nil
}

type Response struct{ RawResponse *http.Response }

func (r *Response) RawBody() io.ReadCloser { return r.RawResponse.Body }
func (r *Response) StatusCode() int        { return r.RawResponse.StatusCode }
