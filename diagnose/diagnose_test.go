package diagnose

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/http2"

	"github.com/connleak/connleak/dump"
	"github.com/connleak/connleak/internal/poll"
)

// profile diagnoses this process's own goroutine profile at debug, or with
// debug at inProcess, its goroutines read in-process (Process).
func profile(t *testing.T, debug int) Report {
	t.Helper()
	if debug == inProcess {
		r, err := Process()
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	var b bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&b, debug); err != nil {
		t.Fatal(err)
	}
	r, err := Read(&b)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// inProcess, as profile's debug, reads the process in-process (Process).
const inProcess = -1

// settle waits until this process's diagnosis at debug satisfies ok.
func settle(t *testing.T, debug int, ok func(Report) error) Report {
	t.Helper()
	var r Report
	if err := poll.Until(10*time.Second, func() error { r = profile(t, debug); return ok(r) }); err != nil {
		t.Fatalf("debug=%d: %v\nreport: %+v", debug, err, r)
	}
	return r
}

func want(cond bool, format string, args ...any) error {
	if cond {
		return nil
	}
	return fmt.Errorf("want "+format, args...)
}

// leakyGet is the Resty demo's bug: a client per call, a bare Transport, and the
// body read and closed. DELIBERATE LEAK: its idle connection stays.
func leakyGet(t *testing.T, url string) {
	t.Helper()
	c := &http.Client{Transport: &http.Transport{}} //connleak:ignore client-per-call the Resty demo's bug, on purpose
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	t.Cleanup(c.CloseIdleConnections)
}

// TestIdleConnections leaks client connections in this process, to a server
// in this process: both sides show in one dump.
func TestIdleConnections(t *testing.T) {
	const n = IdleClientThreshold + 10
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hi") }))
	defer ts.Close()
	base := profile(t, 2)
	for range n {
		leakyGet(t, ts.URL)
	}
	for _, debug := range []int{2, 1, 0, inProcess} {
		r := settle(t, debug, func(r Report) error {
			cl, sv := r.Client, r.Server
			return want(cl.HTTP1 == base.Client.HTTP1+n && cl.Idle == base.Client.Idle+n && sv.HTTP1 == base.Server.HTTP1+n && sv.Idle == base.Server.Idle+n,
				"%d more idle HTTP/1 connections on each side", n)
		})
		if r.IDs() != IdleClientConnections+","+IdleServerConnections {
			t.Errorf("debug=%d: findings %s, want idle client and server connections", debug, r.IDs())
		}
		if f, _ := r.Finding(IdleClientConnections); f.Count != r.Client.Idle || f.Fix == "" || f.Doc != DocBase+IdleClientConnections {
			t.Errorf("debug=%d: %+v", debug, f)
		}
	}
}

// TestBodiesNotClosed leaves response bodies open.
func TestBodiesNotClosed(t *testing.T) {
	const n = BodyUnreadThreshold + 2
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hi") }))
	defer ts.Close()
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n, IdleConnTimeout: time.Minute}}
	defer c.CloseIdleConnections()
	var bodies []io.Closer
	defer func() {
		for _, b := range bodies {
			b.Close()
		}
	}()
	for range n {
		resp, err := c.Get(ts.URL)
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, resp.Body) // DELIBERATE LEAK until the test ends: neither read nor closed
	}
	for _, debug := range []int{2, inProcess} {
		r := settle(t, debug, func(r Report) error {
			return want(r.Client.BodyUnread == n && r.Client.Idle == 0, "%d bodies unread, nothing idle", n)
		})
		if r.IDs() != BodiesNotClosed {
			t.Errorf("debug=%d: findings %s, want response-bodies-not-closed alone", debug, r.IDs())
		}
	}
}

// TestCallsAndQueue holds calls in a handler: with MaxConnsPerHost 1 one is
// in flight and the rest queue for the connection; with no limit all are in
// flight, and the server's connections are active.
func TestCallsAndQueue(t *testing.T) {
	release := make(chan struct{})
	var entered sync.WaitGroup
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered.Done()
		<-release
	}))
	defer ts.Close()
	const n = 12
	call := func(c *http.Client, wg *sync.WaitGroup) {
		wg.Go(func() {
			if resp, err := c.Get(ts.URL); err == nil {
				resp.Body.Close()
			}
		})
	}

	queued := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1, IdleConnTimeout: time.Minute}}
	defer queued.CloseIdleConnections()
	var calls sync.WaitGroup
	entered.Add(1)
	for range n {
		call(queued, &calls)
	}
	entered.Wait()
	for _, debug := range []int{2, inProcess} {
		r := settle(t, debug, func(r Report) error {
			return want(r.Client.InFlight == 1 && r.Client.WaitingForConn == n-1 && r.Server.Active == 1, "1 call in flight, %d queued, 1 active server connection", n-1)
		})
		if _, ok := r.Finding(WaitingForConnection); !ok {
			t.Errorf("debug=%d: findings %s, want waiting-for-connection", debug, r.IDs())
		}
	}
	entered.Add(n - 1)
	close(release)
	calls.Wait()

	// With no limit, every call is in flight; InFlightPileUp of
	// them name the finding, however long they have waited.
	release = make(chan struct{})
	free := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: InFlightPileUp, IdleConnTimeout: time.Minute}}
	defer free.CloseIdleConnections()
	entered.Add(InFlightPileUp)
	for range InFlightPileUp {
		call(free, &calls)
	}
	entered.Wait()
	for _, debug := range []int{1, inProcess} {
		r := settle(t, debug, func(r Report) error {
			return want(r.Client.InFlight == InFlightPileUp && r.Server.Active == InFlightPileUp, "%d calls in flight", InFlightPileUp)
		})
		if _, ok := r.Finding(CallsWithoutTimeout); !ok {
			t.Errorf("debug=%d with %d calls in flight: findings %s, want calls-without-timeout", debug, InFlightPileUp, r.IDs())
		}
	}
	if r := profile(t, 2); r.IDs() != CallsWithoutTimeout {
		t.Errorf("debug=2: findings %s, want calls-without-timeout", r.IDs())
	}
	close(release)
	calls.Wait()
}

// TestDialing holds a dial.
func TestDialing(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	c := &http.Client{Transport: &http.Transport{IdleConnTimeout: time.Minute, DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		select {
		case <-block:
		case <-ctx.Done():
		}
		return nil, context.Canceled
	}}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:1/", nil)
		if resp, err := c.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	for _, debug := range []int{2, inProcess} {
		settle(t, debug, func(r Report) error {
			return want(r.Client.Dialing == 1 && r.Client.WaitingForConn == 0, "1 dialing, none queued")
		})
	}
	cancel()
	<-done
}

// TestHTTP2 leaks HTTP/2 connections through net/http's bundled HTTP/2 and
// through golang.org/x/net/http2.
func TestHTTP2(t *testing.T) {
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.Proto) }))
	ts.EnableHTTP2 = true
	ts.StartTLS()
	defer ts.Close()
	pool := ts.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	const n = 4
	base := profile(t, 2)
	var transports []interface{ CloseIdleConnections() }
	defer func() {
		for _, tr := range transports {
			tr.CloseIdleConnections()
		}
	}()
	for i := range 2 * n {
		var rt http.RoundTripper
		if i%2 == 0 {
			tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true, IdleConnTimeout: time.Minute}
			rt, transports = tr, append(transports, tr)
		} else {
			// Deprecated in favour of net/http's own, but what many
			// programs in production run: their dumps must read too.
			//lint:ignore SA1019 the dumps of golang.org/x/net/http2's Transport are what this test reads
			tr := &http2.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, IdleConnTimeout: time.Minute}
			rt, transports = tr, append(transports, tr)
		}
		resp, err := (&http.Client{Transport: rt}).Get(ts.URL)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != "HTTP/2.0" {
			t.Fatalf("request %d went over %s, want HTTP/2.0", i, b)
		}
	}
	// The last handler's goroutine may still be ending: wait until every
	// connection is idle.
	for _, debug := range []int{2, inProcess} {
		settle(t, debug, func(r Report) error {
			return want(r.Client.HTTP2 == base.Client.HTTP2+2*n && r.Server.HTTP2 == base.Server.HTTP2+2*n && r.Client.HTTP1 == base.Client.HTTP1 &&
				r.Client.Idle == base.Client.Idle+2*n && r.Server.Idle == base.Server.Idle+2*n,
				"%d more HTTP/2 connections on each side, all idle, none HTTP/1", 2*n)
		})
	}
}

// TestSites checks that labels set around the calls name the sites.
func TestSites(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hi") }))
	defer ts.Close()
	const n = IdleClientThreshold
	pprof.Do(context.Background(), pprof.Labels("caller", "TestSites"), func(context.Context) {
		for range n {
			leakyGet(t, ts.URL)
		}
	})
	r := settle(t, 1, func(r Report) error {
		f, _ := r.Finding(IdleClientConnections)
		for _, s := range f.Sites {
			if s.Labels == `{"caller":"TestSites"}` && s.Count == n {
				return nil
			}
		}
		return want(false, "a site with the label and %d connections, got %+v", n, f.Sites)
	})
	if !r.Sited {
		t.Errorf("a dump with labels is not Sited")
	}
}

// TestNoFindings checks a dump with nothing held: no findings, [] in JSON.
func TestNoFindings(t *testing.T) {
	r, err := Read(strings.NewReader("goroutine 1 [running]:\nmain.main()\n\t/src/main.go:3 +0x1\n"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(r)
	if r.IDs() != "none" || !strings.Contains(string(b), `"findings":[]`) {
		t.Errorf("%s: want no findings, and [] in JSON", b)
	}
	var text strings.Builder
	r.WriteText(&text, "main.txt", nil)
	if !strings.Contains(text.String(), "No leaked HTTP connections") {
		t.Errorf("in words: %q, want it to say nothing leaks", text.String())
	}
}

func TestPackagePath(t *testing.T) {
	for fn, want := range map[string]string{
		"net/http.(*persistConn).readLoop":               "net/http",
		"github.com/go-resty/resty/v2.(*Client).execute": "github.com/go-resty/resty/v2",
		"main.main": "main",
		"example.com/a/b.F[go.shape.struct { X net/http.Header }]": "example.com/a/b",
		"github.com/connleak/connleak/server.(*Server).forward":    "github.com/connleak/connleak/server",
	} {
		if got := packagePath(fn); got != want {
			t.Errorf("packagePath(%q) = %q, want %q", fn, got, want)
		}
	}
	for fn, lib := range map[string]bool{
		"net/http.(*Client).Do": true, "golang.org/x/net/http2.(*ClientConn).RoundTrip": true,
		"github.com/go-resty/resty/v2.(*Request).Post": true, "main.leaky": false, "github.com/connleak/connleak/server.(*Server).forward": false,
		"github.com/acme/api.(*Client).Get": false, "internal/poll.runtime_pollWait": true,
	} {
		if isLibrary(fn) != lib {
			t.Errorf("isLibrary(%q) = %v, want %v", fn, !lib, lib)
		}
	}
}

// TestAddBounded checks that goroutines a caller makes itself, with counts
// and waits past what dump.Read accepts, are held within its bounds: no
// count overflows, and the oldest wait is still said.
func TestAddBounded(t *testing.T) {
	var d Diagnosis
	readLoop := []dump.Frame{{Func: "internal/poll.runtime_pollWait"}, {Func: "net/http.(*persistConn).readLoop"}}
	for range 2 {
		d.Add(&dump.Goroutine{Count: math.MaxInt, Wait: math.MaxInt64, Frames: readLoop})
	}
	d.Add(&dump.Goroutine{Count: -5, Wait: -time.Hour, Frames: readLoop})
	r := d.Report(dump.Stacks)
	if r.Goroutines != 2*dump.MaxGoroutines || r.Client.Idle != 2*dump.MaxGoroutines {
		t.Errorf("goroutines %d, idle %d; want %d each", r.Goroutines, r.Client.Idle, 2*dump.MaxGoroutines)
	}
	idle, ok := r.Finding(IdleClientConnections)
	if !ok || idle.OldestWaitMinutes != int(dump.MaxWait/time.Minute) || !strings.Contains(idle.Message, "The oldest has been idle for") {
		t.Errorf("idle-client-connections %+v, want the oldest wait, at its bound", idle)
	}
}

// stuckDial is one dial of a debug=2 dump of go1.26.8 stuck in its TLS
// handshake (testdata/dumps/go1.26.8.debug2.txt, with the ancestors of
// GODEBUG=tracebackancestors): the dial goroutine, waiting for the
// handshake's result, and the handshake's own goroutine, reading. %[1]d
// numbers the pair; %[2]s and %[3]s are their waits, such as ", 3 minutes".
const stuckDial = `goroutine %[1]d1 [chan receive%[2]s]:
net/http.(*persistConn).addTLS(0x299723df540, {0x7eb850, 0x299725c3b80}, {0x299727540b0, 0x9}, 0x0)
	net/http/transport.go:1742 +0x327
net/http.(*Transport).dialConn(0x29972566ea0, {0x7eb850, 0x299725c3b80}, {{}, 0x0, {0x299722b0000, 0x5}, {0x299727540b0, 0xf}, 0x0}, ...)
	net/http/transport.go:1825 +0x9fc
net/http.(*Transport).dialConnFor(0x29972566ea0, 0x299725cd340)
	net/http/transport.go:1648 +0xd2
net/http.(*Transport).startDialConnForLocked.func1()
	net/http/transport.go:1629 +0x35
created by net/http.(*Transport).startDialConnForLocked in goroutine 1
	net/http/transport.go:1628 +0x112
[originating from goroutine 1]:
main.call(...)
	example.com/svc/main.go:12 +0x70

goroutine %[1]d2 [IO wait%[3]s]:
internal/poll.runtime_pollWait(0x7f4751f58800, 0x72)
	runtime/netpoll.go:351 +0x85
net.(*conn).Read(0x29972288568, {0x299727a4000?, 0x7f479b4a74c0?, 0x7f479b49ea00?})
	net/net.go:196 +0x45
crypto/tls.(*Conn).readHandshake(0x2997226f888, {0x0, 0x0})
	crypto/tls/conn.go:1095 +0x39
crypto/tls.(*Conn).clientHandshake(0x2997226f888, {0x7eb850, 0x29972537810})
	crypto/tls/handshake_client.go:300 +0x505
crypto/tls.(*Conn).handshakeContext(0x2997226f888, {0x7eb850, 0x299725c3b80})
	crypto/tls/conn.go:1562 +0x329
crypto/tls.(*Conn).HandshakeContext(...)
	crypto/tls/conn.go:1516
net/http.(*persistConn).addTLS.func2()
	net/http/transport.go:1736 +0x6e
created by net/http.(*persistConn).addTLS in goroutine %[1]d1
	net/http/transport.go:1732 +0x309
[originating from goroutine %[1]d1]:
net/http.(*Transport).dialConnFor(...)
	net/http/transport.go:1648 +0xd2
[originating from goroutine 1]:
main.call(...)
	example.com/svc/main.go:12 +0x70

`

// TestDialsWithoutTimeout reads dumps of dials stuck in their TLS
// handshake: named at DialPileUp however fresh, or at DialThreshold once
// one dial or one handshake has waited a minute; not named below.
func TestDialsWithoutTimeout(t *testing.T) {
	tests := []struct {
		name               string
		dials              int
		dialWait, tlsWait  string // the goroutine header's wait, such as ", 3 minutes"
		named              bool
		oldestWaitMinutes  int
		messageHas, lacked string
	}{
		{name: "a pile-up, fresh", dials: DialPileUp, named: true, messageHas: "100 connections being dialled, 100 of them in their TLS handshake", lacked: "The oldest"},
		{name: "fewer, fresh", dials: DialPileUp - 1},
		{name: "ten, a dial waiting 3 minutes", dials: DialThreshold, dialWait: ", 3 minutes", named: true, oldestWaitMinutes: 3, messageHas: "The oldest has waited 3 minutes"},
		{name: "ten, a handshake waiting 2 minutes", dials: DialThreshold, tlsWait: ", 2 minutes", named: true, oldestWaitMinutes: 2, messageHas: "The oldest has waited 2 minutes"},
		{name: "ten, fresh", dials: DialThreshold},
		{name: "nine, waiting 3 minutes", dials: DialThreshold - 1, dialWait: ", 3 minutes", tlsWait: ", 3 minutes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			for i := range tt.dials {
				fmt.Fprintf(&b, stuckDial, 100+i, tt.dialWait, tt.tlsWait)
			}
			r, err := Read(strings.NewReader(b.String()))
			if err != nil {
				t.Fatal(err)
			}
			if r.Client.Dialing != tt.dials || r.Client.Handshaking != tt.dials {
				t.Fatalf("client %+v, want %d dials, all in a TLS handshake", r.Client, tt.dials)
			}
			f, named := r.Finding(DialsWithoutTimeout)
			if named != tt.named || r.IDs() != map[bool]string{true: DialsWithoutTimeout, false: "none"}[tt.named] {
				t.Fatalf("findings %s, want %s named: %v", r.IDs(), DialsWithoutTimeout, tt.named)
			}
			if !named {
				return
			}
			if f.Count != tt.dials || f.OldestWaitMinutes != tt.oldestWaitMinutes || f.Doc != DocBase+DialsWithoutTimeout ||
				!strings.Contains(f.Fix, "TLSHandshakeTimeout") || !strings.Contains(f.Fix, "net.Dialer") {
				t.Errorf("%+v: want %d dials, oldest %d minutes, the fix and the doc", f, tt.dials, tt.oldestWaitMinutes)
			}
			if !strings.Contains(f.Message, tt.messageHas) || tt.lacked != "" && strings.Contains(f.Message, tt.lacked) ||
				!strings.Contains(f.Message, "no TLSHandshakeTimeout") {
				t.Errorf("message %q: want %q, and what is missing on the Transport", f.Message, tt.messageHas)
			}
			// A handshake is on a dial: the call site counts each dial once.
			if want := (Site{Function: "main.call", File: "example.com/svc/main.go", Line: 12, Count: tt.dials}); len(f.Sites) != 1 || f.Sites[0] != want {
				t.Errorf("sites %+v, want %+v", f.Sites, want)
			}
		})
	}
}

// TestThresholds names a finding at the count Diagnosis.Thresholds gives it,
// below the registry's, and not below that count.
func TestThresholds(t *testing.T) {
	readLoop := &dump.Goroutine{Count: 3, Frames: []dump.Frame{
		{Func: "internal/poll.runtime_pollWait"}, {Func: "bufio.(*Reader).Peek"}, {Func: "net/http.(*persistConn).readLoop"},
	}}
	for _, tt := range []struct {
		thresholds map[string]int
		want       string
	}{
		{nil, "none"},
		{map[string]int{IdleClientConnections: 3}, IdleClientConnections},
		{map[string]int{IdleClientConnections: 4}, "none"},
		{map[string]int{BodiesNotClosed: 1}, "none"},
	} {
		d := Diagnosis{Thresholds: tt.thresholds}
		d.Add(readLoop)
		r := d.Report(dump.Grouped)
		if r.IDs() != tt.want {
			t.Errorf("thresholds %v: findings %s, want %s", tt.thresholds, r.IDs(), tt.want)
		}
		if f, ok := r.Finding(IdleClientConnections); ok && f.Count != 3 {
			t.Errorf("thresholds %v: count %d, want 3", tt.thresholds, f.Count)
		}
	}
}

// TestUserFrame names the frame of a stack that made a call: the innermost
// of a _test.go file where there is one, whatever its package, else the
// innermost that is neither a library's nor a test binary's generated main.
func TestUserFrame(t *testing.T) {
	http := dump.Frame{Func: "net/http.(*Client).Get", File: "/go/src/net/http/client.go", Line: 1}
	wrapper := dump.Frame{Func: "example.com/heim.(*Client).Do", File: "/src/heim/client.go", Line: 147}
	libTest := dump.Frame{Func: "github.com/hashicorp/go-retryablehttp.testClientDo", File: "/src/rh/client_test.go", Line: 178}
	test := dump.Frame{Func: "example.com/heim.TestGet", File: "/src/heim/client_test.go", Line: 406}
	wrap := dump.Frame{Func: "github.com/connleak/connleak/connleaktest.wrapped.Run", File: "/src/connleaktest/testmain.go", Line: 41}
	testmain := dump.Frame{Func: "main.main", File: "_testmain.go", Line: 108}
	for _, tt := range []struct {
		name  string
		stack []dump.Frame
		want  dump.Frame
		ok    bool
	}{
		{"a wrapper under a test", []dump.Frame{http, wrapper, test}, test, true},
		{"a library's own test", []dump.Frame{http, libTest, wrap, testmain}, libTest, true},
		{"a program, no test", []dump.Frame{http, wrapper}, wrapper, true},
		{"a test binary's main and connleaktest only", []dump.Frame{http, wrap, testmain}, dump.Frame{}, false},
	} {
		got, i := dump.Frame{}, userFrame(tt.stack)
		if i >= 0 {
			got = tt.stack[i]
		}
		if got != tt.want || i >= 0 != tt.ok {
			t.Errorf("%s: %+v (index %d); want %+v, found %v", tt.name, got, i, tt.want, tt.ok)
		}
	}
}

// deepWait calls itself depth times, then waits for release.
func deepWait(depth int, release chan struct{}) {
	if depth == 0 {
		<-release
		return
	}
	deepWait(depth-1, release)
}

// TestProcessDeep holds handlers deeper than runtime.GoroutineProfile keeps
// of a stack, the function each connection's goroutine was started with
// cut off: read in-process, they count as a dump counts them, active.
func TestProcessDeep(t *testing.T) {
	release := make(chan struct{})
	var entered sync.WaitGroup
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered.Done()
		deepWait(40, release)
	}))
	defer ts.Close()
	c := &http.Client{Transport: &http.Transport{IdleConnTimeout: time.Minute}}
	defer c.CloseIdleConnections()
	const n = 3
	var calls sync.WaitGroup
	// The handlers end before the server's Close waits for them, whatever
	// the test says.
	end := sync.OnceFunc(func() { close(release); calls.Wait() })
	defer end()
	entered.Add(n)
	for range n {
		calls.Go(func() {
			if resp, err := c.Get(ts.URL); err == nil {
				resp.Body.Close()
			}
		})
	}
	entered.Wait()
	for _, debug := range []int{2, inProcess} {
		settle(t, debug, func(r Report) error {
			return want(r.Server.HTTP1 >= n && r.Server.Active >= n && r.Client.InFlight >= n, "%d server connections running a handler and %d calls in flight, not %+v and %+v", n, n, r.Server, r.Client)
		})
	}
}
