package nethttp

import (
	"fmt"
	"net/http"
	"net/url"
)

// notify tells a webhook, and closes the reply only when it is an error:
// every 2xx reply's connection is held.
func notify(c *http.Client, hook string, msg string) error {
	resp, err := c.PostForm(hook, url.Values{"text": {msg}}) // want `response body not closed on every path: open at the return on line 20`
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		resp.Body.Close()
		return fmt.Errorf("webhook: %s", resp.Status)
	}
	return nil
}
