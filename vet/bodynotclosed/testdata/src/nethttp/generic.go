package nethttp

import (
	"io"
	"net/http"
)

// Generic code: a response kept in a generic struct, a body closed by a
// generic helper.

type holder[T any] struct{ v T }

func keepIn[T any](h *holder[T], v T) { h.v = v } // want keepIn:"keeps 1"

// closeAll's body is stored in the slice of its variadic arguments: taken
// as kept.
func closeAll[C io.Closer](cs ...C) {
	for _, c := range cs {
		c.Close()
	}
}

func generic(c *http.Client, req *http.Request) error {
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	keepIn(&holder[*http.Response]{}, resp)
	return nil
}

func genericClose(u string) error {
	resp, err := http.Get(u)
	if err != nil {
		return err
	}
	defer closeAll(resp.Body)
	return nil
}

func genericLeak[T any](u string, v T) T { // want genericLeak:"keeps 1"
	resp, err := http.Get(u) // want `response body never closed`
	if err != nil {
		return v
	}
	_ = resp.StatusCode
	return v
}
