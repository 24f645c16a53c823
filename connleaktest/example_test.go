package connleaktest_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/go-resty/resty/v2"
	"go.uber.org/goleak"

	"github.com/connleak/connleak/connleaktest"
	"github.com/connleak/connleak/diagnose"
)

// The program of goleak's issue 102: http.Get, the body read and closed.
// goleak sees the idle connection the default client keeps as a leak;
// connleaktest passes it. In a test, connleaktest.Check(t) at its top
// judges it when the test ends.
func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") }))
	defer srv.Close()
	before := goleak.IgnoreCurrent()

	resp, err := http.Get(srv.URL)
	if err != nil {
		fmt.Println(err)
		return
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()

	fmt.Println("goleak:", goleak.Find(before) != nil)
	fmt.Println("goleak with connleaktest's options:", goleak.Find(append(connleaktest.GoleakOptions(), before)...))
	fmt.Println("connleaktest:", connleaktest.Find())
	// Output:
	// goleak: true
	// goleak with connleaktest's options: <nil>
	// connleaktest: <nil>
}

// The pattern of the Resty demo connleak comes from: a client per call, on
// a bare Transport, which keeps every idle connection for ever. The server
// is in this process too, so both sides of the connections show.
func Example_clientPerCall() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") }))
	defer srv.Close()
	for range 10 {
		// DELIBERATE LEAK: the seed's pattern, resty.New() per call on a bare Transport.
		//connleak:ignore client-per-call the leak shown
		tr := &http.Transport{}                                                  //connleak:ignore transport-idle-timeout the leak shown
		if _, err := resty.New().SetTransport(tr).R().Get(srv.URL); err != nil { //connleak:ignore client-per-call the leak shown
			fmt.Println(err)
			return
		}
	}
	err := connleaktest.Find(
		connleaktest.Deadline(100*time.Millisecond),
		// DefaultIdle's value on 3 cores or fewer, the same output on any machine
		connleaktest.Allow(diagnose.IdleClientConnections, 4),
		connleaktest.Allow(diagnose.IdleServerConnections, 4),
	)
	fmt.Println(err)
	// Output:
	// connleaktest: the process left HTTP connections behind (waited 100ms for them to close):
	//   idle-client-connections: 10 idle client connections, where 4 are allowed: a client or Transport made per call leaves its pool behind (a shared one keeps MaxIdleConnsPerHost per host, 2 by default: Allow more for one that keeps more), and one without IdleConnTimeout keeps it for ever.
	//     fix: Make one client (and Transport) per service, not per call, and keep it; give its Transport an IdleConnTimeout (90 * time.Second), or clone http.DefaultTransport.
	//     see https://github.com/connleak/connleak/blob/main/docs/findings.md#idle-client-connections
	//   idle-server-connections: 10 server connections still open (10 idle, 0 running a handler), where 4 are allowed: a server not closed, or one whose clients keep their connections.
	//     fix: Close every server the test starts, with httptest.Server's or http.Server's Close (closing its listener leaves its connections open); Allow the connections of one that outlives the test. In production, give it an IdleTimeout.
	//     see https://github.com/connleak/connleak/blob/main/docs/findings.md#idle-server-connections
	//   Run with GODEBUG=tracebackancestors=5 to see the lines that made them.
}
