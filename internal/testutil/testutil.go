package testutil

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/connleak/connleak/internal/labca"
	"github.com/connleak/connleak/internal/poll"
)

// SyncBuffer is a bytes.Buffer that a server or a child process may write
// to while the test reads.
type SyncBuffer struct {
	mu sync.Mutex // guards b
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String is what has been written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Getenv is an environment of the pairs kv (name, value, name, value...),
// as a getenv function: any other name is empty.
func Getenv(kv ...string) func(string) string {
	return func(k string) string {
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i] == k {
				return kv[i+1]
			}
		}
		return ""
	}
}

// Eventually fails the test unless check returns nil within timeout.
func Eventually(tb testing.TB, timeout time.Duration, check func() error) {
	tb.Helper()
	if err := poll.Until(timeout, check); err != nil {
		tb.Fatal(err)
	}
}

// Client calls the servers the way the Resty demo's curl loop does: a new
// connection per request, so the test itself holds none. It trusts the lab
// CA, for a server that serves TLS.
var Client = &http.Client{
	Transport: &http.Transport{DisableKeepAlives: true, TLSClientConfig: &tls.Config{RootCAs: labca.Roots()}},
	Timeout:   30 * time.Second,
}

// Reply is what /forward and /hello answer, errors included, with the
// status it came with.
type Reply struct {
	Status          int
	Error           string `json:"error"`
	GoRoutines      int    `json:"goRoutines"`
	Server1Response *struct {
		GoRoutines int `json:"goRoutines"`
	} `json:"Server1Response"`
	ConnReused bool `json:"connReused"`
}

// Get sends GET url and decodes the JSON reply.
func Get(tb testing.TB, url string) Reply {
	tb.Helper()
	var r Reply
	r.Status = Fetch(tb, http.MethodGet, url, &r)
	return r
}

// Fetch sends a request without a body and decodes the JSON reply into v.
func Fetch(tb testing.TB, method, url string, v any) (status int) {
	tb.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	resp, err := Client.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("%s %s: read body: %v", method, url, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		tb.Fatalf("%s %s: %d %q is not the JSON expected: %v", method, url, resp.StatusCode, b, err)
	}
	return resp.StatusCode
}

// FetchNoFail is Get for a goroutine other than the test's: it reports a
// failure as status 0.
func FetchNoFail(url string) Reply {
	var r Reply
	resp, err := Client.Get(url)
	if err != nil {
		return r
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return r
	}
	r.Status = resp.StatusCode
	return r
}

// Text is the body of GET url, which must answer 200.
func Text(tb testing.TB, url string) string {
	tb.Helper()
	resp, err := Client.Get(url)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s: %d, %v", url, resp.StatusCode, err)
	}
	return string(b)
}

// Goroutines asks a server at base for its goroutine count through /hello.
func Goroutines(tb testing.TB, base string) int {
	tb.Helper()
	r := Get(tb, base+"/hello")
	if r.Status != http.StatusOK {
		tb.Fatalf("GET %s/hello: status %d: %s", base, r.Status, r.Error)
	}
	return r.GoRoutines
}

// Dial connects to addr, a host:port or a base URL, and closes the
// connection when the test ends.
func Dial(tb testing.TB, addr string) net.Conn {
	tb.Helper()
	addr = strings.TrimPrefix(strings.TrimPrefix(addr, "http://"), "https://")
	c, err := net.Dial("tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// Stalled is a server 1 that accepts connections and never answers; it
// closes them when the test ends. It returns its URL and a count of the
// connections it accepted.
func Stalled(tb testing.TB) (string, func() int) {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	var (
		mu    sync.Mutex // guards conns
		conns []net.Conn
		wg    sync.WaitGroup
	)
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	})
	tb.Cleanup(func() {
		ln.Close()
		wg.Wait()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + ln.Addr().String(), func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(conns)
	}
}

// ExitCode is the exit status an error of exec.Cmd's Run or Wait says, or
// of a command function: 0 for nil, the status of an error that has an
// ExitCode method, and -1 for any other error.
func ExitCode(err error) int {
	var ec interface{ ExitCode() int }
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ec):
		return ec.ExitCode()
	}
	return -1
}

// WholeModuleEnv is the variable that runs the slow whole-module tests:
// connleak vet on connleak, what -fix writes built, the golangci-lint
// plugin built, the bench. make test sets it; go test ./... leaves them
// out.
const WholeModuleEnv = "CONNLEAK_WHOLE_MODULE_TESTS"

// WholeModule skips t, a slow whole-module test, unless WholeModuleEnv is
// 1, and with -short.
func WholeModule(t *testing.T) {
	t.Helper()
	if testing.Short() || os.Getenv(WholeModuleEnv) != "1" {
		t.Skipf("a slow whole-module test: make test runs it (%s=1 go test -run '^%s$')", WholeModuleEnv, t.Name())
	}
}
