package nethttp

import (
	"net/http"
	"testing"
)

// A path on which the test fails (t.Error, t.Errorf, t.Fail) ends there:
// the test reports it already. Most often it is the one path on which a
// call the test expects to fail returns a body.

func TestExpectError(t *testing.T) {
	_, err := http.Get("http://127.0.0.1:1/") // nothing listens: the test wants the error
	if err == nil {
		t.Error("want an error")
	}
}

func TestExpectErrorFail(t *testing.T) {
	resp, err := http.Get("http://127.0.0.1:1/")
	if err == nil {
		t.Log(resp.Status)
		t.Fail()
	}
}

// Near misses: the test goes on, and passes, with the body open.

func TestErrorOnFailure(t *testing.T) {
	resp, err := http.Get("http://127.0.0.1:1/") // want `response body never closed`
	if err != nil {
		t.Errorf("get: %v", err)
		return
	}
	t.Log(resp.Status)
}

func TestErrorOnOneStatus(t *testing.T) {
	resp, err := http.Get("http://127.0.0.1:1/") // want `response body never closed`
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Errorf("got %s", resp.Status)
	}
}
