package e2e

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	// The binary TestMain builds is cli.Main: importing it makes go test's
	// cache of these results depend on all of the binary's code.
	_ "github.com/connleak/connleak/cmd/connleak/cli"
	"github.com/connleak/connleak/connleaktest"
	"github.com/connleak/connleak/diagnose"
	"github.com/connleak/connleak/internal/lab/demo"
	"github.com/connleak/connleak/internal/poll"
	"github.com/connleak/connleak/internal/proc"
	"github.com/connleak/connleak/internal/testutil"
	"github.com/connleak/connleak/server"
)

// exe is the connleak binary, built once by TestMain, with the race
// detector when this test binary has it. measured is the binary the tests
// that measure the physics run (the goroutine counts against 1 s timeouts,
// the demo's verdicts, the bench): exe, or without -race one built without
// it, since the race detector slows every request several times over and
// so changes what those tests measure, not what the code does. Every other
// test here, and server's in-process tests, race-check the server code.
var exe, measured string

// TestMain builds ./cmd/connleak, with -race when this test binary has the
// race detector, and runs the tests, failing them if they leave an HTTP
// connection of this process to the servers behind, not even an idle one
// in a shared pool; with -short it runs none: every test here starts
// processes.
func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		fmt.Println("e2e: skipped with -short: every test here runs connleak processes")
		os.Exit(0)
	}
	dir, err := os.MkdirTemp("", "connleak-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	exe, measured = filepath.Join(dir, "connleak"), filepath.Join(dir, "connleak")
	builds := []*exec.Cmd{build(exe, race)}
	if race {
		measured = filepath.Join(dir, "connleak-measured")
		builds = append(builds, build(measured, false))
	}
	for _, b := range builds {
		if out, err := b.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "build connleak: %v\n%s", err, out)
			os.RemoveAll(dir)
			os.Exit(1)
		}
	}
	code := connleaktest.Wrap(m, connleaktest.Allow(diagnose.IdleClientConnections, 0)).Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// build is the command that builds the connleak binary as out, with the
// race detector or not.
func build(out string, race bool) *exec.Cmd {
	args := []string{"build", "-o", out}
	if race {
		args = append(args, "-race")
	}
	return exec.Command("go", append(args, "../cmd/connleak")...)
}

// Shared helpers, under the names the tests had.
var (
	client     = testutil.Client
	get        = testutil.Get
	fetch      = testutil.Fetch
	text       = testutil.Text
	eventually = testutil.Eventually
	exitCode   = testutil.ExitCode
)

type reply = testutil.Reply

// goroutines asks an instance for its goroutine count through /hello.
func goroutines(t *testing.T, in *demo.Instance) int {
	t.Helper()
	return testutil.Goroutines(t, in.URL)
}

// stats is an instance's /stats.
func stats(t *testing.T, in *demo.Instance) server.Stats {
	t.Helper()
	var st server.Stats
	if status := fetch(t, http.MethodGet, in.URL+"/stats", &st); status != http.StatusOK {
		t.Fatalf("GET %s/stats: status %d", in.URL, status)
	}
	return st
}

func funcCount(st server.Stats, f string) int {
	for _, c := range st.TopFunctions {
		if c.Func == f {
			return c.Count
		}
	}
	return 0
}

// startPair starts server 1 with env1 and server 2 forwarding to it, and
// stops both when the test ends.
func startPair(t *testing.T, env1 ...string) *demo.Pair {
	t.Helper()
	return startPairOf(t, exe, env1, nil)
}

// startPairOf is startPair with another binary and server 2's environment.
func startPairOf(t *testing.T, exe string, env1, env2 []string) *demo.Pair {
	t.Helper()
	p, err := demo.StartPair(context.Background(), exe, t.TempDir(), env1, env2)
	t.Cleanup(func() {
		if err := p.Stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func stopOrFail(t *testing.T, in *demo.Instance) {
	if in == nil {
		return
	}
	if err := in.Stop(); err != nil {
		t.Errorf("stop: %v", err)
	}
}

// recoverDeadline bounds how long a scenario that recovers may take.
const recoverDeadline = 10 * time.Second

// waitBaseline polls both servers until each is within 1 goroutine of its
// baseline, and fails the test if that takes longer than recoverDeadline.
func waitBaseline(t *testing.T, p *demo.Pair, base2, base1 int) time.Duration {
	t.Helper()
	start := time.Now()
	eventually(t, recoverDeadline, func() error {
		got2, got1 := goroutines(t, p.Server2), goroutines(t, p.Server1)
		if got2 <= base2+1 && got1 <= base1+1 {
			return nil
		}
		return fmt.Errorf("server 2 has %d goroutines (baseline %d), server 1 has %d (baseline %d): want both back at baseline", got2, base2, got1, base1)
	})
	return time.Since(start)
}

// settled is an instance's goroutine count once it has settled: two
// readings in a row agree. The connection of the probe that found the
// instance ready may still be closing when a test begins.
func settled(t *testing.T, in *demo.Instance) int {
	t.Helper()
	last := -1
	var n int
	eventually(t, 5*time.Second, func() error {
		prev := last
		n = goroutines(t, in)
		last = n
		return poll.True(n == prev, "two readings of the goroutine count to agree")
	})
	return n
}

// startProcess starts cmd; the test's cleanup kills it, if it still runs,
// and waits for it.
func startProcess(t *testing.T, cmd *exec.Cmd) *proc.Process {
	t.Helper()
	p, err := proc.Start(cmd)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Kill)
	return p
}

// startService starts cmd, a command that serves until it is told to stop,
// with its output in the buffer it returns; name says which in messages.
// When the test ends it sends the process SIGTERM, as a service manager
// would, and fails the test unless it exits with status 0 within timeout
// (it is killed then); if the test failed, it logs the process's output.
func startService(t *testing.T, name string, cmd *exec.Cmd, timeout time.Duration) (*proc.Process, *testutil.SyncBuffer) {
	t.Helper()
	out := &testutil.SyncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	p := startProcess(t, cmd)
	// Registered after startProcess's, so it runs first.
	t.Cleanup(func() {
		if err := p.Stop(timeout); err != nil {
			t.Errorf("%s, stopped with SIGTERM: %v; want exit status 0 within %v", name, err, timeout)
		}
		if t.Failed() {
			t.Logf("%s's output:\n%s", name, out)
		}
	})
	return p, out
}

// waitExit waits for p to exit, and fails the test if it has not within
// timeout.
func waitExit(t *testing.T, p *proc.Process, timeout time.Duration, what string) error {
	t.Helper()
	select {
	case <-p.Exited():
		return p.Err()
	case <-time.After(timeout):
		t.Fatalf("gave up after %v waiting for %s", timeout, what)
		return nil
	}
}

// children lists the processes whose parent is pid, from /proc.
func children(t *testing.T, pid int) []int {
	t.Helper()
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		t.Fatal(err)
	}
	var kids []int
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // gone meanwhile
		}
		// pid (comm) state ppid ...: comm may hold spaces, so read after ")".
		fields := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			child, _ := strconv.Atoi(filepath.Base(filepath.Dir(f)))
			kids = append(kids, child)
		}
	}
	return kids
}
