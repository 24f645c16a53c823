package demo

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestInstanceGet checks what Get hands over and what it refuses, and that
// Stats decodes /stats.
func TestInstanceGet(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/stats":
			io.WriteString(w, `{"goRoutines":7,"client":{"opened":3}}`)
		case "/hello":
			io.WriteString(w, "hello")
		default:
			http.Error(w, "no such page", http.StatusNotFound)
		}
	}))
	defer srv.Close()
	in := &Instance{URL: srv.URL}
	ctx := context.Background()

	for _, tt := range []struct {
		path    string
		body    string // what read gets
		wantErr string // or the error
	}{
		{"/hello", "hello", ""},
		{"/nope", "", `404 Not Found: "no such page\n"`},
	} {
		var got string
		err := in.Get(ctx, tt.path, func(r io.Reader) error {
			b, err := io.ReadAll(r)
			got = string(b)
			return err
		})
		switch {
		case tt.wantErr == "" && (err != nil || got != tt.body):
			t.Errorf("Get %s: %q, %v; want %q", tt.path, got, err, tt.body)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr) || got != ""):
			t.Errorf("Get %s: %q, %v; want no body and an error saying %s", tt.path, got, err, tt.wantErr)
		}
	}

	st, err := in.Stats(ctx)
	if err != nil || st.GoRoutines != 7 || st.Client.Opened != 3 {
		t.Errorf("Stats: %+v, %v; want 7 goroutines and 3 connections opened", st, err)
	}
}
