package diagnose_test

import (
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/connleak/connleak/diagnose"
	"github.com/connleak/connleak/dump"
)

// leaky is a debug=1 dump (pprof's goroutine profile, grouped by stack) of
// a program that makes a client per call: 60 idle HTTP/1 connections, each
// a readLoop and a writeLoop, made under the label caller=fetchPrices.
const leaky = `goroutine profile: total 121
60 @ 0x4401ee 0x40a8c5 0x6b1e72 0x472c21
# labels: {"caller":"fetchPrices"}
#	0x40a8c4	internal/poll.runtime_pollWait+0x84		/usr/local/go/src/runtime/netpoll.go:351
#	0x6b1e71	net/http.(*persistConn).readLoop+0x171		/usr/local/go/src/net/http/transport.go:2330

60 @ 0x4401ee 0x44f2a5 0x6b3c25 0x472c21
# labels: {"caller":"fetchPrices"}
#	0x44f2a4	runtime.selectgo+0x7a4				/usr/local/go/src/runtime/select.go:335
#	0x6b3c24	net/http.(*persistConn).writeLoop+0xe4		/usr/local/go/src/net/http/transport.go:2530

1 @ 0x4401ee 0x472c21
#	0x4401ed	main.main+0x1d					/src/prices/main.go:12
`

func ExampleRead() {
	r, err := diagnose.Read(strings.NewReader(leaky))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d goroutines (%s): %d idle client connections\n", r.Goroutines, r.Format, r.Client.Idle)
	for _, f := range r.Findings {
		fmt.Println(f.ID, f.Count, f.Sites[0].Labels, f.Doc)
	}
	// Output:
	// 121 goroutines (debug=1): 60 idle client connections
	// idle-client-connections 60 {"caller":"fetchPrices"} https://github.com/connleak/connleak/blob/main/docs/findings.md#idle-client-connections
}

func ExampleReport_WriteText() {
	r, err := diagnose.Read(strings.NewReader(leaky))
	if err != nil {
		log.Fatal(err)
	}
	// A hint of the caller's after each finding: here, its docs.
	r.WriteText(os.Stdout, "prices.txt", func(f diagnose.Finding) string { return "see " + f.Doc })
	// Output:
	// prices.txt: 121 goroutines (debug=1)
	// client: 60 HTTP/1 and 0 HTTP/2 connections: 60 idle, 0 held by an unread body; 0 calls waiting for a response, 0 dialing, 0 queued for a connection
	// server: 0 HTTP/1 and 0 HTTP/2 connections: 0 idle, 0 active
	//
	// idle-client-connections (60)
	//   60 idle client connections, each a readLoop and a writeLoop (HTTP/1) or a readLoop (HTTP/2) waiting for a next call that never comes: more than a shared pool keeps (50). A client or Transport made per call leaves its pool behind, and a Transport with IdleConnTimeout 0 (a bare &http.Transport{}) never closes an idle connection.
	//   fix: Make one client (and Transport) per service, not per call, and keep it; give its Transport an IdleConnTimeout (90 * time.Second), or clone http.DefaultTransport.
	//   made at:
	//         60  labels {"caller":"fetchPrices"}
	//   see https://github.com/connleak/connleak/blob/main/docs/findings.md#idle-client-connections
}

func ExampleFindings() {
	for _, f := range diagnose.Findings() {
		fmt.Println(f.ID, f.Threshold)
	}
	// Output:
	// idle-client-connections 50
	// response-bodies-not-closed 10
	// idle-server-connections 50
	// calls-without-timeout 10
	// waiting-for-connection 10
	// dials-without-timeout 10
}

// A program that reads its dump itself, or makes its goroutines from
// another source, adds them one by one.
func ExampleDiagnosis() {
	var d diagnose.Diagnosis
	for range 12 { // response bodies nobody closed: each readLoop waits in its own select
		d.Add(&dump.Goroutine{Count: 1, State: "select", Frames: []dump.Frame{
			{Func: "runtime.gopark"}, {Func: "runtime.selectgo"}, {Func: "net/http.(*persistConn).readLoop"},
		}})
	}
	r := d.Report(dump.Stacks)
	fmt.Println(r.IDs(), r.Client.BodyUnread)
	// Output:
	// response-bodies-not-closed 12
}
