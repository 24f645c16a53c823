package collector

import (
	"runtime"
	"syscall"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// TestReadSuccess scrapes a process out of file descriptors, as a leak
// leaves it: the sockets cannot be read, their series are left out and
// ReadSuccess says so, and the scrape, the goroutines' series with it,
// stands.
func TestReadSuccess(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the collector reads sockets on Linux only")
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(New())
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	low := lim
	low.Cur = 3 // no descriptor to open past standard input, output and error
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Skipf("cannot lower the descriptor limit: %v", err)
	}
	fams, err := reg.Gather()
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	if err != nil {
		t.Fatalf("the scrape failed: %v", err)
	}
	got := map[string]float64{}
	var goroutines bool
	for _, f := range fams {
		switch f.GetName() {
		case ReadSuccess:
			for _, m := range f.Metric {
				got[label(m, "part")] = m.GetGauge().GetValue()
			}
		case "connleak_goroutines":
			goroutines = true
		case TCPConnections:
			t.Errorf("%s given though the sockets could not be read", TCPConnections)
		}
	}
	if got["goroutines"] != 1 || got["sockets"] != 0 || len(got) != 2 || !goroutines {
		t.Errorf("%s %v, connleak_goroutines given %v; want goroutines 1, sockets 0, and the goroutines' series", ReadSuccess, got, goroutines)
	}
}

// label is the value of m's label name.
func label(m *dto.Metric, name string) string {
	for _, l := range m.Label {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}
