// want package:"analyzed"

// Package respcallback hands the callbacks of a service of its module
// func literals that take the reply: the service leaves the body to them.
// A literal that returns early when gzip.NewReader fails leaves it open.
package respcallback

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"strings"

	"respcallback/service"
)

type queryAPI struct{ svc service.Service }

func (q *queryAPI) raw(ctx context.Context, url, query string) (string, error) {
	var body string
	err := q.svc.Post(ctx, url, strings.NewReader(query), func(resp *http.Response) error { // want `response body handed to the func literal not closed on every path: open at the return on line 27`
		r := io.Reader(resp.Body)
		if resp.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(resp.Body)
			if err != nil {
				return err
			}
			defer zr.Close()
			r = zr
		}
		b, err := io.ReadAll(r)
		resp.Body.Close()
		body = string(b)
		return err
	})
	return body, err
}

func (q *queryAPI) status(ctx context.Context, url string) (int, error) {
	code := 0
	err := q.svc.Post(ctx, url, nil, func(resp *http.Response) error { // want `response body handed to the func literal never closed`
		code = resp.StatusCode
		return nil
	})
	return code, err
}

// Near misses.

func (q *queryAPI) write(ctx context.Context, url, lines string) error {
	return q.svc.Post(ctx, url, strings.NewReader(lines), func(resp *http.Response) error {
		return resp.Body.Close()
	})
}

// stream keeps the body for its caller to read and close.
type stream struct{ body io.ReadCloser }

func (q *queryAPI) open(ctx context.Context, url, query string) (*stream, error) {
	var s *stream
	err := q.svc.Post(ctx, url, strings.NewReader(query), func(resp *http.Response) error {
		s = &stream{body: resp.Body}
		return nil
	})
	return s, err
}
