package dump

import (
	"bytes"
	"context"
	"errors"
	"runtime/pprof"
	"strings"
	"testing"
	"time"
)

// stacks is debug=2 text as Go 1.26 writes it, with a wait time, a
// GODEBUG=tracebackancestors section, elided frames and a go statement
// wrapper, and the lines of a crash around it.
const stacks = `panic: boom

goroutine 40 [IO wait, 106 minutes]:
internal/poll.runtime_pollWait(0x7f, 0x72)
	/goroot/src/runtime/netpoll.go:351 +0x85
bufio.(*Reader).Peek(0xc0, 0x1)
	/goroot/src/bufio/bufio.go:152 +0x5d
net/http.(*persistConn).readLoop(0xc0)
	/goroot/src/net/http/transport.go:2394 +0x172
created by net/http.(*Transport).dialConn in goroutine 39
	/goroot/src/net/http/transport.go:1944 +0x174d
[originating from goroutine 39]:
main.leaky(...)
	/src/main.go:17 +0x1

goroutine 43 gp=0xc000007a40 m=nil [running]:
example.com/deep.recurse(0x1)
	/src/deep.go:10 +0x1
...additional frames elided...
example.com/deep.start()
	/src/deep.go:3 +0x1

goroutine 45 [runnable]:
net/http.(*connReader).backgroundRead(0xc0)
	/goroot/src/net/http/server.go:690
net/http.(*connReader).startBackgroundRead.gowrap2()
	/goroot/src/net/http/server.go:686 +0x25
runtime.goexit({})
	/goroot/src/runtime/asm_amd64.s:1693 +0x1
created by net/http.(*connReader).startBackgroundRead in goroutine 42
	/goroot/src/net/http/server.go:686 +0xb6

rax    0x0
rip    0x46c4e1
`

func readAll(t *testing.T, text string) ([]*Goroutine, Format) {
	t.Helper()
	var gs []*Goroutine
	format, err := Read(strings.NewReader(text), func(g *Goroutine) { gs = append(gs, g) })
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return gs, format
}

func TestReadStacks(t *testing.T) {
	gs, format := readAll(t, stacks)
	if format != Stacks || len(gs) != 3 {
		t.Fatalf("format %s, %d goroutines; want debug=2 and 3", format, len(gs))
	}
	rl := gs[0]
	if rl.ID != 40 || rl.State != "IO wait" || rl.Wait != 106*time.Minute || len(rl.Frames) != 3 {
		t.Errorf("goroutine 40: %+v, want IO wait for 106 minutes and 3 frames (not its ancestors')", rl)
	}
	if want := (Frame{"net/http.(*persistConn).readLoop", "/goroot/src/net/http/transport.go", 2394}); rl.Frames[2] != want {
		t.Errorf("readLoop frame %+v, want %+v", rl.Frames[2], want)
	}
	if want := (Frame{"net/http.(*Transport).dialConn", "/goroot/src/net/http/transport.go", 1944}); rl.CreatedBy != want {
		t.Errorf("created by %+v, want %+v", rl.CreatedBy, want)
	}
	for i, want := range []string{"net/http.(*persistConn).readLoop", "example.com/deep.start", "net/http.(*connReader).backgroundRead"} {
		if got := gs[i].Entry(); got != want {
			t.Errorf("goroutine %d: Entry %s, want %s", gs[i].ID, got, want)
		}
	}
	if gs[1].ID != 43 || gs[1].State != "running" {
		t.Errorf("goroutine with gp= and m=: %+v", gs[1])
	}
}

// TestReadGrouped reads this process's own goroutine profile at debug=1.
func TestReadGrouped(t *testing.T) {
	const n = 5
	stop := make(chan struct{})
	defer close(stop)
	ready := make(chan struct{})
	pprof.Do(context.Background(), pprof.Labels("role", "parked"), func(context.Context) {
		for range n {
			go func() { ready <- struct{}{}; <-stop }()
		}
	})
	for range n {
		<-ready
	}
	var b bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&b, 1); err != nil {
		t.Fatal(err)
	}
	gs, format := readAll(t, b.String())
	if format != Grouped {
		t.Fatalf("format %s, want debug=1", format)
	}
	// The parked goroutines may stand at two places, before and after their
	// receive: one group or two, with the label.
	total, parked := 0, 0
	for _, g := range gs {
		total += g.Count
		if !strings.Contains(g.Labels, `"role":"parked"`) {
			continue
		}
		parked += g.Count
		if !strings.HasPrefix(g.Entry(), "connleak/dump.TestReadGrouped") {
			t.Errorf("a parked group's Entry is %s, want TestReadGrouped's closure", g.Entry())
		}
		if f := g.Frames[len(g.Frames)-1]; !strings.HasSuffix(f.File, "dump_test.go") || f.Line == 0 {
			t.Errorf("outermost frame %+v, want this file and a line", f)
		}
	}
	if parked != n {
		t.Errorf("%d goroutines labelled parked, want %d\n%s", parked, n, &b)
	}
	if !strings.HasPrefix(b.String(), "goroutine profile: total ") || total < n+1 {
		t.Errorf("%d goroutines in all, want more than %d", total, n)
	}
}

func TestReadNotADump(t *testing.T) {
	for _, in := range []string{"", "hello\nworld\n", "goroutine x [y]:\n", "12 @\n"} {
		if _, err := Read(strings.NewReader(in), func(*Goroutine) {}); !errors.Is(err, ErrNoGoroutines) {
			t.Errorf("Read(%q): %v, want ErrNoGoroutines", in, err)
		}
	}
	long := "goroutine 1 [running]:\n" + strings.Repeat("x", MaxLine+1) + "\n"
	if _, err := Read(strings.NewReader(long), func(*Goroutine) {}); err == nil || !strings.Contains(err.Error(), "line 2 is longer") {
		t.Errorf("Read of a line over MaxLine: %v, want an error naming line 2", err)
	}
}
