package retrycallback

import (
	"io"
	"net/http"
)

// A backend that retries a reply the server asks it to retry, whatever
// its status: where the callback given returns a good reply's body as its
// result, a retried one's is dropped open, as the loop's next call
// overwrites the result; where every callback given reads and closes the
// body, nothing is.

// shouldRetry retries a failure, and a reply that asks for it.
func (b *backend) shouldRetry(resp *http.Response, err error, try int) (bool, string) {
	switch {
	case try >= b.retries:
		return false, "out of retries"
	case err != nil:
		return true, "failed"
	}
	return resp.Header.Get("Should-Retry") == "true", "asked by the server"
}

// sendRetrying calls handle with every reply and retries where the server
// asks.
func (b *backend) sendRetrying(req *http.Request, handle func(*http.Response, error) (any, error)) (*http.Response, any, error) { // want sendRetrying:"^returns 0, shows 2$"
	var resp *http.Response
	var result any
	var err error
	for try := 0; ; try++ {
		resp, err = b.hc.Do(req)
		result, err = handle(resp, err) // want `body the callback returns not closed on every path: the loop's next call drops it`
		if retry, _ := b.shouldRetry(resp, err, try); !retry {
			break
		}
	}
	if err != nil {
		return nil, nil, err
	}
	return resp, result, nil
}

// rawRetrying's callback returns a good reply's body as the result.
func (b *backend) rawRetrying(req *http.Request) ([]byte, error) {
	_, result, err := b.sendRetrying(req, func(resp *http.Response, err error) (any, error) {
		return bodyOrError(resp, err)
	})
	if err != nil {
		return nil, err
	}
	return io.ReadAll(result.(io.ReadCloser))
}

// sendRetryingRead is sendRetrying given only callbacks that read and
// close every body.
func (b *backend) sendRetryingRead(req *http.Request, handle func(*http.Response, error) (any, error)) (*http.Response, any, error) { // want sendRetryingRead:"^returns 0, shows 2$"
	var resp *http.Response
	var result any
	var err error
	for try := 0; ; try++ {
		resp, err = b.hc.Do(req)
		result, err = handle(resp, err)
		if retry, _ := b.shouldRetry(resp, err, try); !retry {
			break
		}
	}
	if err != nil {
		return nil, nil, err
	}
	return resp, result, nil
}

func (b *backend) readRetrying(req *http.Request) ([]byte, error) {
	_, result, err := b.sendRetryingRead(req, readAll)
	if err != nil {
		return nil, err
	}
	return result.([]byte), nil
}
