package apiclient

import (
	"net/http"
	"testing"
)

// mockAPI answers every Head with a made-up response, with no connection
// under it.
type mockAPI struct{}

func (mockAPI) Head(string) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody}, nil
}

func TestExists(t *testing.T) {
	if !exists(mockAPI{}, "http://example.com") {
		t.Error("got false, want true")
	}
}

// TestHead's API may be the mock: a call in a test file is no source.
func TestHead(t *testing.T) {
	var api API = mockAPI{}
	resp, err := api.Head("http://example.com")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Errorf("got %d, want 200", resp.StatusCode)
	}
}
