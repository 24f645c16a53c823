// Command calls makes HTTP connections from calls on known lines, each
// marked with a comment, "// call: NAME", and writes its goroutine profile
// at debug=2 to standard output. Run with GODEBUG=tracebackancestors=5,
// the dump says which lines made the connections, as the runtime writes
// them (at the address each call returns to); diagnose's TestCallLines
// reads them with and without this program's binary.
//
// It is a module of its own, for Go 1.21 and later, as mkdump is.
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"time"
)

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	// DELIBERATE LEAK: http.Serve's server has no IdleTimeout, and keeps
	// every connection its clients leave open.
	go http.Serve(ln, http.HandlerFunc(hello)) // call: go
	url := "http://" + ln.Addr().String()
	// 50 connections from one line: enough for connleak diagnose to name
	// idle client and idle server connections at its thresholds.
	for i := 0; i < 50; i++ {
		plain(url)
	}
	loop(url)
	checked(url)
	inlined(url)
	swapped(url)
	settle()
	check(pprof.Lookup("goroutine").WriteTo(os.Stdout, 2))
}

func hello(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "hello") }

// The functions below each make a client per call, with a bare Transport.
// DELIBERATE LEAK: each client's idle connection stays for ever.

// plain makes its call on a line of its own: the runtime writes the next.
func plain(url string) {
	c := &http.Client{Transport: &http.Transport{}}
	resp, err := c.Get(url) // call: plain
	drain(resp, err)
}

// loop makes its call last in a loop's body: the runtime writes the for.
// DELIBERATE LEAK: it leaves each body open, which holds its connection.
func loop(url string) {
	c := &http.Client{Transport: &http.Transport{}}
	for i := 0; i < 2; i++ {
		c.Get(url) // call: loop
	}
}

// checked makes its call in an if: the runtime writes its own line.
func checked(url string) {
	c := &http.Client{Transport: &http.Transport{}}
	if resp, err := c.Get(url); err == nil { // call: checked
		drain(resp, nil)
	}
}

// inlined calls helper, which the compiler inlines into it.
func inlined(url string) {
	c := &http.Client{Transport: &http.Transport{}}
	helper(c, url)
	runtime.Gosched()
}

func helper(c *http.Client, url string) { drain(c.Get(url)) } // call: helper

// swapped calls get, of another file, which the compiler inlines into it.
func swapped(url string) {
	c := &http.Client{Transport: &http.Transport{}}
	get(c, url) // call: swapped
	runtime.Gosched()
}

// drain reads a response's body to the end and closes it.
func drain(resp *http.Response, err error) {
	check(err)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "calls:", err)
		os.Exit(1)
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
