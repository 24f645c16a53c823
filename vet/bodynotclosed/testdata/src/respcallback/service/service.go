// want package:"analyzed"

// Package service sends requests for package respcallback and hands each
// good reply to a callback of its caller's, which owns the body from then
// on: Do calls onResponse(resp) and returns, and Post hands its callback
// on to Do. Its callers call it through an interface, Service.
package service

import (
	"context"
	"errors"
	"io"
	"net/http"
)

// Service is what package respcallback calls.
type Service interface {
	Post(ctx context.Context, url string, body io.Reader, onResponse func(*http.Response) error) error // want Post:"hands 4"
}

type service struct{ hc *http.Client }

// New returns a Service that sends with hc.
func New(hc *http.Client) Service { return &service{hc: hc} }

// Post builds the request, and hands its callback on to Do.
func (s *service) Post(ctx context.Context, url string, body io.Reader, onResponse func(*http.Response) error) error { // want Post:"hands 4"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, body)
	if err != nil {
		return err
	}
	return s.Do(req, onResponse)
}

// Do closes a bad reply's body, and hands a good one's to onResponse.
func (s *service) Do(req *http.Request, onResponse func(*http.Response) error) error { // want Do:"hands 2"
	resp, err := s.hc.Do(req)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		resp.Body.Close()
		return errors.New(resp.Status)
	}
	return onResponse(resp)
}

// Near misses.

// DoClosing closes the body after its callback: the callback only reads
// it.
func (s *service) DoClosing(req *http.Request, onResponse func(*http.Response) error) error {
	resp, err := s.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return onResponse(resp)
}

// DoReturning returns the response its callback has seen: its caller
// closes the body.
func (s *service) DoReturning(req *http.Request, onResponse func(*http.Response)) (*http.Response, error) { // want DoReturning:"returns 0"
	resp, err := s.hc.Do(req)
	if err != nil {
		return nil, err
	}
	onResponse(resp)
	return resp, nil
}

// DoRead reads the body to its end before the callback sees the status.
func (s *service) DoRead(req *http.Request, onResponse func(*http.Response) error) error {
	resp, err := s.hc.Do(req)
	if err != nil {
		return err
	}
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	return onResponse(resp)
}
