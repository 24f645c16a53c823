package nethttp

import (
	"io"
	"net/http"
	"net/http/httptest"
)

// An httptest.ResponseRecorder's Result holds no connection (bodyclose
// #47, #59).

func recorded(h http.Handler, req *http.Request) ([]byte, error) {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	resp := w.Result()
	return io.ReadAll(resp.Body)
}
