// Command mkdump makes the goroutine dumps that diagnose's tests read, with
// whichever Go toolchain runs it. It leaks HTTP connections on purpose, in
// this one process, then writes its own goroutine profile at debug=1 and
// debug=2, or crashes with every goroutine's stack.
//
// It is a module of its own, for Go 1.21 and later, so that older
// toolchains build it, and -trimpath keeps the paths of the machine that
// made them out of the dumps. From diagnose/testdata/mkdump, for each
// version V:
//
//	GOTOOLCHAIN=goV GODEBUG=tracebackancestors=5 go run -trimpath . -out ../dumps/goV
//	GOTOOLCHAIN=goV GOTRACEBACK=all go run -trimpath . -crash 2> ../dumps/goV.traceback.txt
//
// The first writes goV.debug1.txt and goV.debug2.txt (the second with the
// stacks that created each goroutine); the second a crash traceback. In all
// of them: 60 idle client connections made by main.leaky, each from a
// client of its own (labelled caller=leaky), 12 held by response bodies
// nobody closed, made by main.unreadBodies, and the 72 server connections of a
// server without an IdleTimeout.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/pprof"
	"time"
)

const (
	idle   = 60
	unread = 12
)

func main() {
	out := flag.String("out", "", "write the dumps as `prefix`.debug1.txt and prefix.debug2.txt")
	crash := flag.Bool("crash", false, "panic instead: with GOTRACEBACK=all, every goroutine's stack goes to standard error")
	flag.Parse()
	if *out == "" && !*crash {
		fmt.Fprintln(os.Stderr, "mkdump: give -out PREFIX or -crash")
		os.Exit(2)
	}

	// DELIBERATE LEAK: a server with no IdleTimeout keeps every connection
	// its clients leave open.
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello")
	}))
	pprof.Do(context.Background(), pprof.Labels("caller", "leaky"), func(context.Context) {
		for i := 0; i < idle; i++ {
			leaky(ts.URL)
		}
	})
	bodies := unreadBodies(ts.URL)
	settle()

	if *crash {
		panic(fmt.Sprintf("mkdump: a traceback of %d goroutines, as asked", runtime.NumGoroutine()))
	}
	for _, debug := range []int{1, 2} {
		name := fmt.Sprintf("%s.debug%d.txt", *out, debug)
		f, err := os.Create(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, "mkdump:", err)
			os.Exit(1)
		}
		if err := pprof.Lookup("goroutine").WriteTo(f, debug); err != nil {
			fmt.Fprintln(os.Stderr, "mkdump:", err)
			os.Exit(1)
		}
		if err := f.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "mkdump:", err)
			os.Exit(1)
		}
	}
	for _, b := range bodies {
		b.Close()
	}
	ts.CloseClientConnections()
	ts.Close()
}

// leaky is the seed's bug: a client per call with a bare Transport.
// DELIBERATE LEAK: its idle connection stays for ever.
func leaky(url string) {
	c := &http.Client{Transport: &http.Transport{}}
	resp, err := c.Get(url)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkdump:", err)
		os.Exit(1)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

// unreadBodies makes calls through one client and keeps their bodies open.
// DELIBERATE LEAK: each holds its connection until closed.
func unreadBodies(url string) []io.Closer {
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: unread}}
	var bodies []io.Closer
	for i := 0; i < unread; i++ {
		resp, err := c.Get(url)
		if err != nil {
			fmt.Fprintln(os.Stderr, "mkdump:", err)
			os.Exit(1)
		}
		bodies = append(bodies, resp.Body)
	}
	return bodies
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
