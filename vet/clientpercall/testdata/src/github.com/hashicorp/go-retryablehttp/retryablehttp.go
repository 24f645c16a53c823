// Package retryablehttp is a stand-in for
// github.com/hashicorp/go-retryablehttp in client-per-call's tests: the
// few names they use, with its signatures.
package retryablehttp

import "net/http"

// Client retries the requests of its HTTPClient.
type Client struct {
	HTTPClient *http.Client
	RetryMax   int
}

func NewClient() *Client { return &Client{HTTPClient: &http.Client{Transport: &http.Transport{}}} }

func (c *Client) Do(req *Request) (*http.Response, error) { return c.HTTPClient.Do(req.Request) }
func (c *Client) Get(url string) (*http.Response, error)  { return c.HTTPClient.Get(url) }
func (c *Client) StandardClient() *http.Client            { return &http.Client{} }

// Request is a request the Client can retry.
type Request struct{ *http.Request }

func NewRequest(method, url string, body any) (*Request, error) { return &Request{}, nil }
