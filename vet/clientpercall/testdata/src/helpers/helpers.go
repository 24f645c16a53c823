// Package helpers holds helpers that use a client, or keep it, for the
// facts of client-per-call to cross a package boundary.
package helpers

import "net/http"

// Do only uses c.
func Do(c *http.Client, url string) error { // want Do:`keeps\(\)`
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Retry only uses c, through Do and itself.
func Retry(c *http.Client, url string, n int) error { // want Retry:`keeps\(\)`
	if err := Do(c, url); err != nil && n > 0 {
		return Retry(c, url, n-1)
	}
	return nil
}

var registry = map[string]*http.Client{}

// Register keeps c.
func Register(name string, c *http.Client) { // want Register:`keeps\(1\)`
	registry[name] = c
}

// Later keeps c, through a goroutine.
func Later(c *http.Client, url string) { // want Later:`keeps\(0\)`
	go Do(c, url)
}

// Pool keeps what it is given, through Register.
type Pool struct{ name string }

// Add keeps c; its receiver, no.
func (p *Pool) Add(c *http.Client) { // want Add:`keeps\(0\)`
	Register(p.name, c)
}
