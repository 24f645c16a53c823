// Command service is a new user's service, built outside connleak's module
// (e2e's TestCollectorService gives it a go.mod of its own, with a replace):
// two upstreams of its own, a client per call to one of them, one client
// shared for the other, and connleak's collector on its /metrics with one
// line. GET /call?n=N calls each upstream N times. It prints its address,
// then the upstreams', one a line, and serves until SIGTERM.
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/connleak/connleak/collector"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "service:", err)
		os.Exit(1)
	}
}

func run() error {
	prometheus.MustRegister(collector.New()) // the one line

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	hello := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "hello") })
	var addrs []string
	for range 2 { // the leaky upstream, then the healthy one
		srv, addr, err := serve(hello)
		if err != nil {
			return err
		}
		defer srv.Close()
		addrs = append(addrs, addr)
	}
	shared := &http.Client{Transport: &http.Transport{IdleConnTimeout: 90 * time.Second}, Timeout: 5 * time.Second}
	defer shared.CloseIdleConnections()
	var (
		mu      sync.Mutex
		perCall []*http.Client
	)
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range perCall {
			c.CloseIdleConnections()
		}
	}()

	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.Handler())
	mux.HandleFunc("/call", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.URL.Query().Get("n"))
		if err != nil || n < 1 || n > 1000 {
			http.Error(w, "n: want 1 to 1000 calls", http.StatusBadRequest)
			return
		}
		for range n {
			// DELIBERATE LEAK: a client per call to the leaky upstream, with
			// a bare Transport that keeps its idle connection for ever. The
			// clients are kept only to close them when the service stops.
			c := &http.Client{Transport: &http.Transport{}, Timeout: 5 * time.Second} //connleak:ignore client-per-call the leak this service shows, on purpose
			mu.Lock()
			perCall = append(perCall, c)
			mu.Unlock()
			for _, call := range []struct {
				c   *http.Client
				url string
			}{{c, "http://" + addrs[0]}, {shared, "http://" + addrs[1]}} {
				if err := get(r.Context(), call.c, call.url); err != nil {
					http.Error(w, err.Error(), http.StatusBadGateway)
					return
				}
			}
		}
		fmt.Fprintf(w, "%d calls to each\n", n)
	})
	srv, addr, err := serve(mux)
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Printf("service http://%s\nleaky %s\nhealthy %s\n", addr, addrs[0], addrs[1])
	<-ctx.Done()
	return nil
}

// serve serves h on a free loopback port.
func serve(h http.Handler) (*http.Server, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 5 * time.Minute}
	go srv.Serve(ln) // ends with srv.Close
	return srv, ln.Addr().String(), nil
}

// get calls url with c, reads the body to its end and closes it.
func get(ctx context.Context, c *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}
