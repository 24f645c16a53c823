// Command mkdump makes the goroutine dumps that diagnose's tests read, with
// whichever Go toolchain runs it. It leaks HTTP connections and holds calls
// on purpose, in this one process, every kind that diagnose tells apart,
// then writes its own goroutine profile at debug=1 and debug=2, or crashes
// with every goroutine's stack.
//
// It is a module of its own, for Go 1.21 and later, so that older
// toolchains build it, and -trimpath keeps the paths of the machine that
// made them out of the dumps. From diagnose/testdata/mkdump, for each
// version V:
//
//	GOTOOLCHAIN=goV GODEBUG=tracebackancestors=5 go run -trimpath . -out ../dumps/goV
//	GOTOOLCHAIN=goV GOTRACEBACK=all go run -trimpath . -crash 2> ../dumps/goV.traceback.txt
//	GOTOOLCHAIN=goV go run -trimpath . -binary -out ../dumps/goV
//
// For go1.26.8 and go1.27.3, the traceback is made with
// GODEBUG=tracebacklabels=1 too, so that its goroutine headers carry the
// labels (in each version's form). go run's last line, "exit status 2",
// ends each traceback, as it does when a user saves one so. The third
// writes goV.debug0.pb.gz, the same profile as debug=1 in pprof's
// protocol buffer.
//
// The first writes goV.debug1.txt and goV.debug2.txt (the second with the
// stacks that created each goroutine); the second a crash traceback. Each
// group below is made by a function of its own, in a pprof.Do labelled
// caller=<that function>:
//
//   - leaky: 60 idle HTTP/1 client connections, a client each (the seed's
//     bug), and the 60 server connections they leave;
//   - unreadBodies: 12 connections held by response bodies nobody closed;
//   - leakyH2: 20 idle HTTP/2 client connections over TLS, a client each,
//     and their 20 HTTP/2 server connections;
//   - hangingCalls: 15 HTTP/1 calls waiting for a response that does not
//     come, and their 15 handlers;
//   - hangingH2Calls: 5 HTTP/2 calls likewise, on one connection;
//   - queuedCalls: 10 calls queued for a connection behind MaxConnsPerHost
//     1, whose one connection carries a call that hangs too;
//   - stuckDials: 10 dials stuck in a TLS handshake that a listener
//     accepted and never answers, with their 10 calls;
//   - silentConns: 8 connections to the server that never send a request.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"
)

const (
	idle       = 60
	unread     = 12
	idleH2     = 20
	hung       = 15
	hungH2     = 5
	queued     = 10
	handshakes = 10
	silent     = 8
)

// hangs counts the /hang handlers running; release ends them.
var (
	hangs   atomic.Int32
	release = make(chan struct{})
)

func main() {
	out := flag.String("out", "", "write the dumps as `prefix`.debug1.txt and prefix.debug2.txt")
	binary := flag.Bool("binary", false, "write prefix.debug0.pb.gz instead: the gzipped protocol buffer of debug=0")
	crash := flag.Bool("crash", false, "panic instead: with GOTRACEBACK=all, every goroutine's stack goes to standard error")
	flag.Parse()
	if *out == "" && !*crash {
		fmt.Fprintln(os.Stderr, "mkdump: give -out PREFIX or -crash")
		os.Exit(2)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") })
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
		hangs.Add(1)
		<-release
	})
	// DELIBERATE LEAK: servers with no IdleTimeout keep every connection
	// their clients leave open.
	plain := httptest.NewUnstartedServer(mux)
	var accepted atomic.Int32 // the connections plain has accepted
	plain.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			accepted.Add(1)
		}
	}
	plain.Start()
	secure := httptest.NewUnstartedServer(mux)
	secure.EnableHTTP2 = true
	secure.StartTLS()
	roots := x509.NewCertPool()
	roots.AddCert(secure.Certificate())
	// A listener that accepts and never answers: a TLS handshake to it
	// waits for ever.
	blackhole, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	var held []net.Conn
	var heldMu sync.Mutex
	go func() {
		for {
			c, err := blackhole.Accept()
			if err != nil {
				return
			}
			heldMu.Lock()
			held = append(held, c)
			heldMu.Unlock()
		}
	}()

	var calls sync.WaitGroup // the calls that hang, until release
	labelled := func(name string, f func()) {
		pprof.Do(context.Background(), pprof.Labels("caller", name), func(context.Context) { f() })
	}
	labelled("leaky", func() {
		for i := 0; i < idle; i++ {
			leaky(plain.URL)
		}
	})
	var bodies []io.Closer
	labelled("unreadBodies", func() { bodies = unreadBodies(plain.URL) })
	labelled("leakyH2", func() {
		for i := 0; i < idleH2; i++ {
			leakyH2(secure.URL, roots)
		}
	})
	labelled("hangingCalls", func() { hangingCalls(plain.URL, &calls) })
	labelled("hangingH2Calls", func() { hangingH2Calls(secure.URL, roots, &calls) })
	labelled("queuedCalls", func() { queuedCalls(plain.URL, &calls) })
	labelled("stuckDials", func() { stuckDials("https://"+blackhole.Addr().String(), roots, &calls) })
	var conns []net.Conn
	labelled("silentConns", func() { conns = silentConns(plain.Listener.Addr().String()) })
	waitFor("the calls that hang to reach their handlers", func() bool { return hangs.Load() == hung+hungH2+1 })
	waitFor("the server to accept every connection", func() bool { return accepted.Load() == idle+unread+hung+1+silent })
	waitFor("the stuck dials to be accepted", func() bool {
		heldMu.Lock()
		defer heldMu.Unlock()
		return len(held) == handshakes
	})
	settle()

	if *crash {
		panic(fmt.Sprintf("mkdump: a traceback of %d goroutines, as asked", runtime.NumGoroutine()))
	}
	forms := []int{1, 2}
	if *binary {
		forms = []int{0}
	}
	for _, debug := range forms {
		name := fmt.Sprintf("%s.debug%d.txt", *out, debug)
		if debug == 0 {
			name = *out + ".debug0.pb.gz"
		}
		f, err := os.Create(name)
		check(err)
		check(pprof.Lookup("goroutine").WriteTo(f, debug))
		check(f.Close())
	}

	// Release it all, and wait for every call to end.
	for _, b := range bodies {
		b.Close()
	}
	for _, c := range conns {
		c.Close()
	}
	close(release)
	blackhole.Close()
	heldMu.Lock()
	for _, c := range held {
		c.Close()
	}
	heldMu.Unlock()
	calls.Wait()
	plain.CloseClientConnections()
	secure.CloseClientConnections()
	plain.Close()
	secure.Close()
}

// leaky is the seed's bug: a client per call with a bare Transport.
// DELIBERATE LEAK: its idle connection stays for ever.
func leaky(url string) {
	c := &http.Client{Transport: &http.Transport{}}
	drain(c.Get(url))
}

// leakyH2 is the same over HTTP/2.
// DELIBERATE LEAK: its idle connection stays for ever.
func leakyH2(url string, roots *x509.CertPool) {
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, ForceAttemptHTTP2: true}}
	resp := drain(c.Get(url))
	if resp.ProtoMajor != 2 {
		fmt.Fprintf(os.Stderr, "mkdump: %s over %s, want HTTP/2\n", url, resp.Proto)
		os.Exit(1)
	}
}

// unreadBodies makes calls through one client and keeps their bodies open.
// DELIBERATE LEAK: each holds its connection until closed.
func unreadBodies(url string) []io.Closer {
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: unread}}
	var bodies []io.Closer
	for i := 0; i < unread; i++ {
		resp, err := c.Get(url)
		check(err)
		bodies = append(bodies, resp.Body)
	}
	return bodies
}

// hangingCalls calls /hang, which does not answer until release, through
// one client with no timeout.
// DELIBERATE LEAK: each call holds a connection while it waits.
func hangingCalls(url string, calls *sync.WaitGroup) {
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: hung}}
	for i := 0; i < hung; i++ {
		callAsync(c, url+"/hang", calls)
	}
}

// hangingH2Calls does the same over one HTTP/2 connection, made first.
// DELIBERATE LEAK: each call holds a stream while it waits.
func hangingH2Calls(url string, roots *x509.CertPool, calls *sync.WaitGroup) {
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, ForceAttemptHTTP2: true, IdleConnTimeout: time.Minute}}
	drain(c.Get(url))
	for i := 0; i < hungH2; i++ {
		callAsync(c, url+"/hang", calls)
	}
}

// queuedCalls queues calls behind MaxConnsPerHost 1, whose one connection
// carries a call that hangs.
// DELIBERATE LEAK: the queue does not move until release.
func queuedCalls(url string, calls *sync.WaitGroup) {
	c := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1, IdleConnTimeout: time.Minute}}
	before := hangs.Load()
	callAsync(c, url+"/hang", calls)
	waitFor("the first call of the queue to reach its handler", func() bool { return hangs.Load() > before })
	for i := 0; i < queued; i++ {
		callAsync(c, url+"/hang", calls)
	}
}

// stuckDials calls a server that accepts and never answers, through a
// Transport with no TLSHandshakeTimeout.
// DELIBERATE LEAK: each dial waits for ever in its handshake.
func stuckDials(url string, roots *x509.CertPool, calls *sync.WaitGroup) {
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	for i := 0; i < handshakes; i++ {
		callAsync(c, url, calls)
	}
}

// silentConns opens connections to the server and sends nothing on them.
// DELIBERATE LEAK: the server waits for their requests for ever.
func silentConns(addr string) []net.Conn {
	var conns []net.Conn
	for i := 0; i < silent; i++ {
		c, err := net.Dial("tcp", addr)
		check(err)
		conns = append(conns, c)
	}
	return conns
}

// drain reads a call's body to the end and closes it.
func drain(resp *http.Response, err error) *http.Response {
	check(err)
	_, err = io.Copy(io.Discard, resp.Body)
	check(err)
	check(resp.Body.Close())
	return resp
}

// callAsync makes one call on a goroutine of its own, which ends when the
// call does (after release, its error ignored).
func callAsync(c *http.Client, url string, calls *sync.WaitGroup) {
	calls.Add(1)
	go func() {
		defer calls.Done()
		if resp, err := c.Get(url); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}()
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkdump:", err)
		os.Exit(1)
	}
}

// waitFor waits until ok, or gives up after 10 s, saying what it waited for.
func waitFor(what string, ok func() bool) {
	for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			fmt.Fprintln(os.Stderr, "mkdump: gave up waiting for", what)
			os.Exit(1)
		}
	}
}

// settle waits until the goroutine count holds still: every connection's
// goroutines are parked where they will stay.
func settle() {
	last := -1
	for i := 0; i < 500; i++ {
		n := runtime.NumGoroutine()
		if n == last {
			return
		}
		last = n
		time.Sleep(20 * time.Millisecond)
	}
}
