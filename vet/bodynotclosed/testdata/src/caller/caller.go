// want package:"analyzed"

// Package caller calls package helper, which returns open bodies and
// closes what it is given.
package caller

import (
	"io"
	"net/http"

	"github.com/go-resty/resty/v2"

	"helper"
)

func post(c *helper.Client, u string) error {
	resp, err := c.PostJSON(u, 1) // want `response body never closed`
	if err != nil {
		return err
	}
	_ = helper.Status(resp)
	return nil
}

func postDecode(c *helper.Client, u string, v any) error {
	resp, err := c.PostJSON(u, 1) // want `response body never closed`
	if err != nil {
		return err
	}
	return helper.Decode(resp.Body, v)
}

func raw(c *resty.Client, u string) error {
	resp, err := helper.Raw(c, u) // want `raw body never closed`
	if err != nil {
		return err
	}
	_ = resp.StatusCode()
	return nil
}

// fetcher is implemented by helper.Client alone, in a package caller
// imports.
type fetcher interface {
	Fetch(u string) (*http.Response, error) // want Fetch:"returns 0"
}

func fetchStatus(f fetcher, u string) int {
	resp, err := f.Fetch(u) // want `response body never closed`
	if err != nil {
		return 0
	}
	return resp.StatusCode
}

// checkedGet hands helper.Check the response and the error of one call:
// Check returns the good reply's body open.
func checkedGet(c *http.Client, u string) int {
	resp, err := helper.Check(c.Get(u)) // want `response body never closed`
	if err != nil {
		return 0
	}
	return resp.StatusCode
}

// Near misses.

// checkedErr takes GetChecked's error for no body, as net/http's contract
// lets it: GetChecked, which returns its body with an error, is reported.
func checkedErr(c *http.Client, u string) int {
	resp, err := helper.GetChecked(c, u)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	return resp.StatusCode
}

// postRead's helper reads the body to its end: the connection is released.
func postRead(c *helper.Client, u string) ([]byte, error) {
	resp, err := c.PostJSON(u, 1)
	if err != nil {
		return nil, err
	}
	return helper.ReadAll(resp.Body)
}

func drained(c *helper.Client, u string) error {
	resp, err := c.PostJSON(u, 1)
	if err != nil {
		return err
	}
	helper.Drain(resp)
	return nil
}

func closed(u string) error {
	resp, err := http.Get(u)
	if err != nil {
		return err
	}
	defer helper.CloseBody(resp.Body)
	return nil
}

func rawClosed(c *resty.Client, u string) error {
	resp, err := helper.Raw(c, u)
	if err != nil {
		return err
	}
	defer helper.CloseBody(resp.RawBody())
	return nil
}

// A helper that closes the body before it returns the response hands its
// callers no body to close.
func text(c *http.Client, u string) string {
	_, s, _ := helper.GetText(c, u)
	return s
}

func status(c *http.Client, u string) int {
	resp, err := helper.GetStatus(c, u)
	if err != nil {
		return 0
	}
	return resp.StatusCode
}

func maybe(c *http.Client, u string) int {
	resp, err := helper.GetMaybe(c, u, true) // want `response body never closed`
	if err != nil {
		return 0
	}
	return resp.StatusCode
}

func checked(c *http.Client, u string) int {
	resp, err := helper.CheckedGet(c, u, func(*http.Response) bool { return true }) // want `response body never closed`
	if err != nil || resp == nil {
		return 0
	}
	return resp.StatusCode
}

// checkedRead's callback reads the body to its end and closes it: the body
// is the callback's, and the response CheckedGet returns holds none open.
func checkedRead(c *http.Client, u string) int {
	resp, err := helper.CheckedGet(c, u, func(resp *http.Response) bool {
		defer resp.Body.Close()
		_, err := io.Copy(io.Discard, resp.Body)
		return err == nil
	})
	if err != nil || resp == nil {
		return 0
	}
	return resp.StatusCode
}
