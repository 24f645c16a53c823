package apiclient

import (
	"net/http"
	"testing"
)

// mockAPI answers every Get with a made-up response, with no connection
// under it.
type mockAPI struct{}

func (mockAPI) Get(string) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody}, nil
}

func TestExists(t *testing.T) {
	if !exists(mockAPI{}, "http://example.com") {
		t.Error("got false, want true")
	}
}

// TestGet's API may be the mock: a call in a test file is no source.
func TestGet(t *testing.T) {
	var api API = mockAPI{}
	resp, err := api.Get("http://example.com")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Errorf("got %d, want 200", resp.StatusCode)
	}
}
