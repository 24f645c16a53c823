package clientpercall_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/connleak/connleak/vet/clientpercall"
)

// Test runs the seed's cases (clientpercall) and one regression file per
// pattern found in real code: a Transport attached by assignment or cloned
// (assigned), a client handed to a helper that only uses it, here or in
// another package (helper, with the facts of helpers), DisableKeepAlives
// read by value, one known only at run time not taken as true
// (constvalue), a Client on a shared Transport (shared), a
// range's expression, which runs once (rangeexpr), a pool released before
// return (released), a Resty client with its Transport, one pool
// (onepool), new(http.Transport) as &http.Transport{} (newtransport), a
// Transport wrapped by otelhttp.NewTransport, a function without a fact,
// under a Client made per call (wrapped, with the facts of wrappers), and
// a go-retryablehttp client made per call, its Transport set (retryable),
// and a pool handed only to goroutines that a sync.WaitGroup joins before
// the function returns (joined), pools of tests that close their
// httptest.Server (testserver), a constructor's call per call (constructor,
// with the facts of constructors), and a constructor that copies a client
// and gives the copy a Transport whose DisableKeepAlives is copied from
// another, known only at run time (nodeclient, with its facts used in
// nodeclients);
// and code of odd shapes, walked without a panic (odd). One load for all:
// each loads net/http from source.
func Test(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), clientpercall.Analyzer,
		"clientpercall", "assigned", "helper", "helpers", "constvalue", "shared", "rangeexpr", "released", "onepool", "odd", "subtest", "cleanup", "newtransport",
		"wrapped", "wrappers", "retryable", "joined", "constructors", "constructor", "testserver", "nodeclient", "nodeclients")
}
