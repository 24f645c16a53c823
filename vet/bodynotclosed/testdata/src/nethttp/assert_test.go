package nethttp

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A branch on a testify assertion given the call's error is an error
// check: the branch where the error is not nil has no body.

func TestNoError(t *testing.T) {
	resp, err := http.Get("http://example.invalid/")
	if !assert.NoError(t, err) {
		return
	}
	defer resp.Body.Close()
}

func TestNil(t *testing.T) {
	resp, err := http.Get("http://example.invalid/")
	if assert.Nil(t, err) {
		defer resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
	}
}

func TestErrorExpected(t *testing.T) {
	resp, err := http.Get("http://example.invalid/")
	if assert.Error(t, err) {
		return
	}
	resp.Body.Close()
}

func TestAssertions(t *testing.T) {
	is := assert.New(t)
	resp, err := http.Get("http://example.invalid/")
	if ok := is.NoError(err); !ok {
		return
	}
	resp.Body.Close()
}

// TestNotError: the assertion is on another value, not the error.
func TestNotError(t *testing.T) {
	resp, err := http.Get("http://example.invalid/") // want `response body not closed on every path: open at the return on line 53`
	if err != nil {
		return
	}
	if !assert.Equal(t, http.StatusOK, resp.StatusCode) {
		return
	}
	resp.Body.Close()
}

// TestErrorWrongWay returns where the assertion that the call failed
// fails: there, the call succeeded, and its body is open.
func TestErrorWrongWay(t *testing.T) {
	resp, err := http.Get("http://example.invalid/") // want `response body never closed`
	if !assert.Error(t, err) {
		t.Log(resp.Status)
		return
	}
}
