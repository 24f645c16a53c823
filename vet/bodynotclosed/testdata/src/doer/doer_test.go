package doer

import (
	"net/http"
	"testing"

	"doer/doertest"
)

// mockDoer answers every request with a made-up response, with no
// connection under it.
type mockDoer struct{ code int }

func (m mockDoer) Do(*http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: m.code, Body: http.NoBody}, nil
}

// TestStatus's Doer may be the mock: a call in a test file is no source.
func TestStatus(t *testing.T) {
	var d Doer = mockDoer{code: http.StatusOK}
	req, err := http.NewRequest(http.MethodGet, "http://example.com", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := d.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Errorf("got %d, want 200", resp.StatusCode)
	}
}

// TestCreate's Doer is doertest's.
func TestCreate(t *testing.T) {
	a := &API{hc: doertest.Doer{Code: http.StatusCreated}}
	req, err := http.NewRequest(http.MethodPost, "http://example.com", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.createClosing(req); err != nil {
		t.Error(err)
	}
}
