package nethttp

import (
	"io"
	"net/http"
)

// The response stored in a struct and closed through an accessor
// (bodyclose #42): stored in a field, it is the struct's.

type myResp struct{ resp *http.Response }

func (r *myResp) response() *http.Response { return r.resp } // want response:"keeps 0, wraps 0"

func viaStruct(u string) ([]byte, error) {
	tmp := &myResp{}
	var err error
	tmp.resp, err = http.Get(u)
	if err != nil {
		return nil, err
	}
	defer tmp.response().Body.Close()
	return io.ReadAll(tmp.response().Body)
}
