package connleaktest_test

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/connleak/connleak/connleaktest"
	"github.com/connleak/connleak/diagnose"
)

// child, set in the environment, makes this test binary run
// TestParallelChild for TestParallel, as `go test` would.
const child = "CONNLEAKTEST_PARALLEL_CHILD"

// TestParallel runs two parallel subtests at the same time, a leaky one
// and a healthy one, in a test process of their own (this test binary
// with -test.v), and reads what it prints: the leaky one fails, naming the file:line of the
// call that made its connections (the process runs with
// GODEBUG=tracebackancestors=5), the call's own line, read from the test
// binary, where the dump writes the line of the for whose body the call
// ends; and its sibling passes. It runs the
// child twice: with the ancestors alone, and with Go 1.27's
// tracebacklabels too (a GODEBUG setting Go 1.26 ignores), which puts
// the pprof labels in the dump's goroutine headers.
func TestParallel(t *testing.T) {
	src, err := os.ReadFile("parallel_test.go")
	if err != nil {
		t.Fatal(err)
	}
	line := bytes.Count(src[:bytes.Index(src, []byte("the leaky "+"call"))], []byte("\n")) + 1
	for _, godebug := range []string{"tracebackancestors=5", "tracebackancestors=5,tracebacklabels=1"} {
		t.Run(godebug, func(t *testing.T) {
			// Two subtests at once whatever GOMAXPROCS is, and a deadline.
			cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestParallelChild$", "-test.v", "-test.count=1", "-test.parallel=2", "-test.timeout=2m")
			cmd.WaitDelay = 10 * time.Second
			cmd.Env = append(os.Environ(), child+"=1", "GODEBUG="+godebug)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the child passed, want its leaky subtest to fail:\n%s", out)
			}
			for _, want := range []string{
				"--- FAIL: TestParallelChild/leaky",
				"--- PASS: TestParallelChild/healthy",
				fmt.Sprintf("%s: %d idle client connections", diagnose.IdleClientConnections, leakyCalls),
				fmt.Sprintf("/parallel_test.go:%d (github.com/connleak/connleak/connleaktest_test.TestParallelChild.func2): %d\n", line, leakyCalls),
			} {
				if !strings.Contains(string(out), want) {
					t.Errorf("the child's output lacks %q:\n%s", want, out)
				}
			}
			if regexp.MustCompile(`(?m)^\s+--- FAIL: TestParallelChild/healthy`).Match(out) || strings.Contains(string(out), "GODEBUG=tracebackancestors=5 to see") {
				t.Errorf("the healthy sibling failed, or the sites are missing:\n%s", out)
			}
		})
	}
}

// leakyCalls is how many clients the leaky subtest makes, one per call.
var leakyCalls = connleaktest.DefaultIdle() + 2

// TestParallelChild is TestParallel's child process: without the
// variable set, it returns at once. Its healthy subtest is judged while
// the leaky one's connections are open in the process.
func TestParallelChild(t *testing.T) {
	if os.Getenv(child) != "1" {
		return
	}
	srv := hello(t)
	var both sync.WaitGroup // both subtests are in their bodies at once
	both.Add(2)
	leaked := make(chan struct{}) // and the healthy one ends after the leak
	t.Run("healthy", func(t *testing.T) {
		t.Parallel()
		connleaktest.Check(t)
		both.Done()
		both.Wait()
		c := resty.New() // its idle connection stays open for the check, until the process ends
		for range 5 {
			if _, err := c.R().Get(srv.URL); err != nil {
				t.Fatal(err)
			}
		}
		<-leaked
	})
	t.Run("leaky", func(t *testing.T) {
		t.Parallel()
		connleaktest.Check(t, connleaktest.Deadline(500*time.Millisecond))
		both.Done()
		both.Wait()
		for range leakyCalls {
			// DELIBERATE LEAK: the seed's pattern, resty.New() per call on a bare Transport; the process ends after.
			//connleak:ignore client-per-call the leak under test
			tr := &http.Transport{} //connleak:ignore transport-idle-timeout the leak under test
			// Last in the loop's body, its error unchecked (the count of
			// connections is): the runtime writes the for's line for it.
			resty.New().SetTransport(tr).R().Get(srv.URL) //connleak:ignore client-per-call the leaky call
		}
		close(leaked)
	})
}
