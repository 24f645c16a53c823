package server

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"
)

func BenchmarkParseQuery(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseQuery("client=shared&maxIdleConnsPerHost=8&idleConnTimeout=90s", DefaultOptions(), forwardParams); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClientsGet is client selection for client=shared, from every
// core at once: the lock is the cost.
func BenchmarkClientsGet(b *testing.B) {
	c := newClients(newClientConns(maxHeldCap), nil)
	o := DefaultOptions()
	o.Client, o.MaxIdleConnsPerHost, o.IdleConnTimeout = "shared", 8, 90*time.Second
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.get(o); err != nil {
				b.Error(err)
			}
		}
	})
}

// BenchmarkForward is the /forward handler against an in-process server 1,
// through Resty and through net/http alone, with the same tuned Transport.
func BenchmarkForward(b *testing.B) {
	ts := httptest.NewServer(New(Config{}))
	defer ts.Close()
	s := New(Config{UpstreamURL: mustURL(b, ts.URL)})
	defer s.clientConns.release()
	for _, client := range []string{"shared", "nethttp"} {
		b.Run(client, func(b *testing.B) {
			target := "/forward?client=" + client + "&maxIdleConnsPerHost=8&idleConnTimeout=90s"
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					w := httptest.NewRecorder()
					s.ServeHTTP(w, httptest.NewRequest("GET", target, nil))
					if w.Code != http.StatusOK {
						b.Errorf("%d %s", w.Code, w.Body)
					}
				}
			})
		})
	}
}

// memInUse is heap and stack in use after a collection.
func memInUse() (uint64, int) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse + ms.StackInuse, runtime.NumGoroutine()
}

// BenchmarkHeldConnection measures what one leaked connection costs each
// side: the server side from raw connections kept idle on a server, the
// client side from connections /forward leaks (client=new), less the server
// side, both in this process.
func BenchmarkHeldConnection(b *testing.B) {
	const n = 500
	var perServer, perBoth float64
	var gServer, gBoth float64
	for b.Loop() {
		// The server side: n connections that sent one request and idle.
		ts := httptest.NewServer(New(Config{}))
		m0, g0 := memInUse()
		conns := make([]net.Conn, n)
		for i := range conns {
			c, err := net.Dial("tcp", ts.Listener.Addr().String())
			if err != nil {
				b.Fatal(err)
			}
			fmt.Fprint(c, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
			buf := make([]byte, 512)
			if _, err := c.Read(buf); err != nil && err != io.EOF {
				b.Fatal(err)
			}
			conns[i] = c
		}
		m1, g1 := memInUse()
		perServer = float64(m1-m0) / n
		gServer = float64(g1-g0) / n
		for _, c := range conns {
			c.Close()
		}
		ts.Close()

		// Both sides: n connections /forward leaks to an in-process server 1.
		ts = httptest.NewServer(New(Config{}))
		s := New(Config{UpstreamURL: mustURL(b, ts.URL)})
		m0, g0 = memInUse()
		for range n {
			w := httptest.NewRecorder()
			s.ServeHTTP(w, httptest.NewRequest("GET", "/forward?client=new", nil))
			if w.Code != http.StatusOK {
				b.Fatalf("%d %s", w.Code, w.Body)
			}
		}
		m1, g1 = memInUse()
		perBoth = float64(m1-m0) / n
		gBoth = float64(g1-g0) / n
		s.clientConns.release()
		ts.Close()
	}
	b.ReportMetric(perServer, "server-B/conn")
	b.ReportMetric(perBoth-perServer, "client-B/conn")
	b.ReportMetric(gServer, "server-goroutines/conn")
	b.ReportMetric(gBoth-gServer, "client-goroutines/conn")
	b.ReportMetric(0, "ns/op")
}
