package collector_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/connleak/connleak/collector"
	"github.com/connleak/connleak/diagnose"
	"github.com/connleak/connleak/internal/testutil"
)

// pauseMetric is the runtime's histogram of its stop-the-world pauses
// other than the collector's, which a goroutine profile makes.
const pauseMetric = "/sched/pauses/total/other:seconds"

// pauses is the pause histogram now.
func pauses() *metrics.Float64Histogram {
	s := []metrics.Sample{{Name: pauseMetric}}
	metrics.Read(s)
	return s[0].Value.Float64Histogram()
}

// reportPauses reports the pauses since before, per op: how many, and
// their total at least (each counted at its bucket's lower bound).
func reportPauses(b *testing.B, before *metrics.Float64Histogram) {
	after := pauses()
	var n uint64
	var least float64
	for i, c := range after.Counts {
		d := c - before.Counts[i]
		n += d
		least += float64(d) * max(0, after.Buckets[i])
	}
	b.ReportMetric(float64(n)/float64(b.N), "pauses/op")
	b.ReportMetric(least*1e6/float64(b.N), "pause-µs/op")
}

// cpuSeconds is the CPU time the process has spent running Go code and
// collecting garbage, as the runtime counts it.
func cpuSeconds() float64 {
	s := []metrics.Sample{{Name: "/cpu/classes/user:cpu-seconds"}, {Name: "/cpu/classes/gc/total:cpu-seconds"}}
	metrics.Read(s)
	return s[0].Value.Float64() + s[1].Value.Float64()
}

// BenchmarkScrape times one scrape of the collector (Gather of a registry
// holding it alone: the goroutine read, the classification, the sockets,
// the series), its read of the goroutines alone (diagnose.Process), and
// beside them what a probe of the connleak exporter costs the same process
// (its pprof handler writing the goroutine profile: debug=1, the default
// module's form, and debug=2, the waits module's), in a process of 1,000,
// 10,000 and 18,000 goroutines, with no labels and with a label set each.
// pause-µs/op is the stop-the-world pauses it made, at least; cpu-ms/op
// the CPU time the process spent, every goroutine's, GC's included.
func BenchmarkScrape(b *testing.B) {
	for _, n := range []int{1000, 10000, 18000} {
		for _, labels := range []string{"none", "each"} {
			for _, read := range []string{"collector", "goroutines", "pprof-debug=1", "pprof-debug=2"} {
				b.Run(fmt.Sprintf("goroutines=%d/labels=%s/read=%s", n, labels, read), func(b *testing.B) {
					var each func(int) []string
					if labels == "each" {
						each = func(i int) []string { return []string{"test", "parked-" + strconv.Itoa(i)} }
					}
					testutil.Park(b, n, each)
					reg := prometheus.NewRegistry()
					reg.MustRegister(collector.New())
					var op func() error
					switch read {
					case "collector":
						op = func() error { _, err := reg.Gather(); return err }
					case "goroutines":
						op = func() error { _, err := diagnose.Process(); return err }
					default:
						debug, _ := strconv.Atoi(read[len(read)-1:])
						op = func() error { return pprof.Lookup("goroutine").WriteTo(io.Discard, debug) }
					}
					runtime.GC()
					b.ReportAllocs()
					before, cpu := pauses(), cpuSeconds()
					for b.Loop() {
						if err := op(); err != nil {
							b.Fatal(err)
						}
					}
					reportPauses(b, before)
					b.ReportMetric((cpuSeconds()-cpu)*1e3/float64(b.N), "cpu-ms/op")
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e6/float64(b.N), "ms/scrape")
				})
			}
		}
	}
}

// tableLines is how many sockets the network namespace's tables list now.
func tableLines(b *testing.B) int {
	n := 0
	for _, t := range []string{"/proc/self/net/tcp", "/proc/self/net/tcp6"} {
		data, err := os.ReadFile(t)
		if err != nil {
			continue // no such table here
		}
		n += bytes.Count(data, []byte("\n")) - 1 // the header
	}
	return n
}

// socketHolders is the environment variable that makes this test binary a
// process holding that many loopback connections (both ends) until its
// standard input closes: BenchmarkScrapeSockets fills the network
// namespace's socket table with them.
const socketHolders = "CONNLEAK_BENCH_HOLD_CONNECTIONS"

// holdConnections makes n loopback connections to itself, and returns
// them, both ends, and their listener, to close.
func holdConnections(n int) ([]io.Closer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	held := []io.Closer{ln}
	for range n {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			return held, err
		}
		held = append(held, c)
		s, err := ln.Accept()
		if err != nil {
			return held, err
		}
		held = append(held, s)
	}
	return held, nil
}

// holder is the test binary run by BenchmarkScrapeSockets: n connections
// to itself, held until its standard input closes.
func holder(n int) error {
	held, err := holdConnections(n)
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	if err != nil {
		return err
	}
	fmt.Println("holding", 2*n)
	io.Copy(io.Discard, os.Stdin)
	return nil
}

// startHolders starts n holders of conns connections each.
func startHolders(b *testing.B, n, conns int) {
	for range n {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), socketHolders+"="+strconv.Itoa(conns))
		stdin, err := cmd.StdinPipe()
		if err != nil {
			b.Fatal(err)
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { stdin.Close(); cmd.Wait() })
		if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != fmt.Sprintf("holding %d\n", 2*conns) {
			b.Fatalf("the holder said %q, %v; want holding %d", line, err, 2*conns)
		}
	}
}

// BenchmarkScrapeSockets times one scrape where the process holds 10,000
// TCP sockets of its own (5,000 loopback connections, both ends), and one
// where other processes of the network namespace hold 20,000 (a busy host,
// or a pod beside busy neighbours: two processes of 5,000 connections
// each), which the collector does not read (it asks its own descriptors).
// table-lines is what the namespace's socket tables list then.
func BenchmarkScrapeSockets(b *testing.B) {
	if runtime.GOOS != "linux" {
		b.Skip("the collector reads sockets on Linux only")
	}
	for _, where := range []string{"own=10000", "namespace=20000"} {
		b.Run(where, func(b *testing.B) {
			if where == "own=10000" {
				held, err := holdConnections(5000)
				b.Cleanup(func() {
					for _, c := range held {
						c.Close()
					}
				})
				if err != nil {
					b.Fatal(err)
				}
			} else {
				startHolders(b, 2, 5000)
			}
			lines := tableLines(b)
			reg := prometheus.NewRegistry()
			reg.MustRegister(collector.New())
			b.ReportAllocs()
			for b.Loop() {
				if _, err := reg.Gather(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e6/float64(b.N), "ms/scrape")
			b.ReportMetric(float64(lines), "table-lines")
		})
	}
}

// BenchmarkTransport times a call on a kept-alive connection to a loopback
// server, through a bare Transport and through the same Transport
// instrumented (collector.Transport): one at a time, and
// GOMAXPROCS*4 at once (parallel). What the instrumented one costs more is
// the difference.
func BenchmarkTransport(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(hello))
	defer srv.Close()
	for _, mode := range []string{"serial", "parallel"} {
		for _, kind := range []string{"bare", "instrumented"} {
			b.Run(mode+"/"+kind, func(b *testing.B) {
				tr := &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: time.Minute}
				var rt http.RoundTripper = tr
				if kind == "instrumented" {
					rt = collector.Transport(tr)
				}
				c := &http.Client{Transport: rt}
				defer c.CloseIdleConnections()
				call := func() {
					resp, err := c.Get(srv.URL)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				b.ReportAllocs()
				if mode == "serial" {
					for b.Loop() {
						call()
					}
					return
				}
				b.SetParallelism(4)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						call()
					}
				})
			})
		}
	}
}
