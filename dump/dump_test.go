package dump

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"runtime/pprof"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
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
	if format != Traceback || len(gs) != 3 {
		t.Fatalf("format %s, %d goroutines; want traceback (it begins with a panic) and 3", format, len(gs))
	}
	if _, format := readAll(t, stacks[strings.Index(stacks, "goroutine "):]); format != Stacks {
		t.Errorf("without the panic line: format %s, want debug=2", format)
	}
	rl := gs[0]
	if rl.ID != 40 || rl.State != "IO wait" || rl.Wait != 106*time.Minute || len(rl.Frames) != 3 {
		t.Errorf("goroutine 40: %+v, want IO wait for 106 minutes and 3 frames (not its ancestors')", rl)
	}
	if want := (Frame{"net/http.(*persistConn).readLoop", "/goroot/src/net/http/transport.go", 2394, 0x172}); rl.Frames[2] != want {
		t.Errorf("readLoop frame %+v, want %+v", rl.Frames[2], want)
	}
	if want := (Frame{"net/http.(*Transport).dialConn", "/goroot/src/net/http/transport.go", 1944, 0x174d}); rl.CreatedBy != want {
		t.Errorf("created by %+v, want %+v", rl.CreatedBy, want)
	}
	if len(rl.Ancestors) != 1 || len(rl.Ancestors[0]) != 1 || rl.Ancestors[0][0] != (Frame{"main.leaky", "/src/main.go", 17, 0x1}) {
		t.Errorf("goroutine 40's ancestors: %+v, want main.leaky at /src/main.go:17 +0x1", rl.Ancestors)
	}
	if want := []int{39}; !slices.Equal(rl.AncestorIDs, want) {
		t.Errorf("goroutine 40's ancestor IDs %v, want %v", rl.AncestorIDs, want)
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

// TestReadQuoted reads dumps as people paste them into issues: indented,
// tabs turned to spaces, and debug=1 frames without their "#".
func TestReadQuoted(t *testing.T) {
	want, wantFormat := readAll(t, stacks)
	quoted := strings.ReplaceAll(stacks, "\t", "        ")
	quoted = "    " + strings.ReplaceAll(quoted, "\n", "\n    ")
	got, format := readAll(t, quoted)
	if format != wantFormat || len(got) != len(want) {
		t.Fatalf("quoted: %s, %d goroutines; want %s, %d", format, len(got), wantFormat, len(want))
	}
	for i := range want {
		if fmt.Sprint(got[i]) != fmt.Sprint(want[i]) {
			t.Errorf("quoted goroutine %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}

	grouped := "goroutine profile: total 3\n2 @ 0x1 0x2\n        0x822124\tnet/http.(*persistConn).writeLoop+0x164\t/usr/local/go/src/net/http/transport.go:1759\n\n" +
		"1 @ 0x1 0x3\n#   0x820f96   net/http.(*persistConn).readLoop+0x7a6   /usr/local/go/src/net/http/transport.go:1654\n"
	gs, format := readAll(t, grouped)
	if format != Grouped || len(gs) != 2 || gs[0].Count != 2 || gs[1].Entry() != "net/http.(*persistConn).readLoop" ||
		gs[0].Frames[0] != (Frame{Func: "net/http.(*persistConn).writeLoop", File: "/usr/local/go/src/net/http/transport.go", Line: 1759}) {
		t.Errorf("quoted debug=1: %s, %+v", format, gs)
	}
}

// parkLabelled starts n goroutines labelled role=parked that wait until the
// test ends.
func parkLabelled(t *testing.T, n int) {
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	ready := make(chan struct{})
	pprof.Do(context.Background(), pprof.Labels("role", "parked", "query", "a=1&b=2"), func(context.Context) {
		for range n {
			go func() { ready <- struct{}{}; <-stop }()
		}
	})
	for range n {
		<-ready
	}
}

// TestReadProfiles reads this process's own goroutine profile, at debug=1
// and at debug=0 (the binary form).
func TestReadProfiles(t *testing.T) {
	const n = 5
	parkLabelled(t, n)
	for _, tt := range []struct {
		debug int
		want  Format
	}{{1, Grouped}, {0, Binary}} {
		var b bytes.Buffer
		if err := pprof.Lookup("goroutine").WriteTo(&b, tt.debug); err != nil {
			t.Fatal(err)
		}
		gs, format := readAll(t, b.String())
		if format != tt.want {
			t.Fatalf("debug=%d: format %s, want %s", tt.debug, format, tt.want)
		}
		// The parked goroutines may stand at two places, before and after
		// their receive: one group or two, with the label.
		total, parked := 0, 0
		for _, g := range gs {
			total += g.Count
			if !strings.Contains(g.Labels, `"role":"parked"`) {
				continue
			}
			if g.Labels != `{"query":"a=1&b=2", "role":"parked"}` {
				t.Errorf("debug=%d: labels %s, want debug=1's form whatever the dump", tt.debug, g.Labels)
			}
			parked += g.Count
			if !strings.HasPrefix(g.Entry(), "github.com/connleak/connleak/dump.parkLabelled") {
				t.Errorf("debug=%d: a parked group's Entry is %s, want parkLabelled's closure", tt.debug, g.Entry())
			}
			if f := g.Frames[len(g.Frames)-1]; !strings.HasSuffix(f.File, "dump_test.go") || f.Line == 0 {
				t.Errorf("debug=%d: outermost frame %+v, want this file and a line", tt.debug, f)
			}
		}
		if parked != n || total < n+1 {
			t.Errorf("debug=%d: %d goroutines labelled parked of %d, want %d", tt.debug, parked, total, n)
		}
	}
}

// TestReadGoleak reads goleak's error about this process's goroutines.
func TestReadGoleak(t *testing.T) {
	const n = 3
	parkLabelled(t, n)
	err := goleak.Find()
	if err == nil {
		t.Fatal("goleak finds nothing")
	}
	gs, format := readAll(t, err.Error())
	parked := 0
	for _, g := range gs {
		if strings.HasPrefix(g.Entry(), "github.com/connleak/connleak/dump.parkLabelled") {
			parked++
		}
		if g.ID == 0 || g.State == "" {
			t.Errorf("goroutine %+v: want its ID and state", g)
		}
	}
	if format != Goleak || parked != n {
		t.Errorf("format %s, %d parked goroutines; want goleak and %d\n%s", format, parked, n, err)
	}
}

func TestReadNotADump(t *testing.T) {
	for _, in := range []string{"", "hello\nworld\n", "goroutine x [y]:\n", "12 @\n"} {
		if _, err := Read(strings.NewReader(in), func(*Goroutine) {}); !errors.Is(err, ErrNoGoroutines) {
			t.Errorf("Read(%q): %v, want ErrNoGoroutines", in, err)
		}
	}
	var bomb bytes.Buffer
	gz := gzip.NewWriter(&bomb)
	gz.Write(make([]byte, 8<<20))
	gz.Close()
	if _, err := Read(&bomb, func(*Goroutine) {}); err == nil || !strings.Contains(err.Error(), "inflates past") {
		t.Errorf("Read of 8 MiB of zeros gzipped to %d bytes: %v, want it refused", bomb.Len(), err)
	}
	long := "goroutine 1 [running]:\n" + strings.Repeat("x", MaxLine+1) + "\n"
	if _, err := Read(strings.NewReader(long), func(*Goroutine) {}); err == nil || !strings.Contains(err.Error(), "line 2 is longer") {
		t.Errorf("Read of a line over MaxLine: %v, want an error naming line 2", err)
	}
}

// TestReadOddForms reads what real dumps also look like: Go 1.26's
// GODEBUG=tracebacklabels=1 headers, paths with spaces, a byte order mark,
// a gzipped text dump, GOTRACEBACK=system's frame pointers.
func TestReadOddForms(t *testing.T) {
	labelled := "goroutine 7 [IO wait, 106 minutes labels:{\"b\": \"x&y\", \"caller\": \"leaky\"}]:\n" +
		"net/http.(*persistConn).readLoop(0xc0)\n\t/goroot/src/net/http/transport.go:2394 +0x172\n"
	gs, _ := readAll(t, labelled)
	if g := gs[0]; g.State != "IO wait" || g.Wait != 106*time.Minute || g.Labels != `{"b":"x&y", "caller":"leaky"}` {
		t.Errorf("a tracebacklabels header: %+v", g)
	}

	spaced := "goroutine 7 [IO wait]:\n    bufio.(*Reader).Peek(0xc0, 0x1)\n        C:/Program Files/Go/src/bufio/bufio.go:152 +0x5d\n" +
		"    net/http.(*persistConn).readLoop(0xc0)\n        C:/Program Files/Go/src/net/http/transport.go:2394 +0x172 fp=0xc0 sp=0xc0 pc=0x74b3d1\n"
	gs, _ = readAll(t, spaced)
	if g := gs[0]; len(g.Frames) != 2 || g.Entry() != "net/http.(*persistConn).readLoop" || g.Frames[1].File != "C:/Program Files/Go/src/net/http/transport.go" || g.Frames[1].Line != 2394 || g.Frames[1].Offset != 0x172 {
		t.Errorf("paths with spaces, tabs turned to spaces: %+v", g)
	}

	if gs, _ := readAll(t, "\xef\xbb\xbf"+labelled); gs[0].ID != 7 {
		t.Errorf("a dump after a byte order mark: %+v", gs[0])
	}

	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte(stacks))
	w.Close()
	if gs, format := readAll(t, gz.String()); format != Traceback || len(gs) != 3 {
		t.Errorf("a gzipped text dump: %s, %d goroutines; want traceback and 3", format, len(gs))
	}
}

// TestHeaderLabels reads the labels Go 1.26 (GODEBUG=tracebacklabels=1)
// and Go 1.27 (by default in a go 1.27 module) write in goroutine headers,
// as those toolchains print them.
func TestHeaderLabels(t *testing.T) {
	for _, tt := range []struct {
		header, state, labels string
		wait                  time.Duration
	}{
		{`goroutine 7 [chan receive] {caller: checkout}:`, "chan receive", `{"caller":"checkout"}`, 0},
		{`goroutine 130 [IO wait, 5 minutes] {caller: checkout}:`, "IO wait", `{"caller":"checkout"}`, 5 * time.Minute},
		{`goroutine 8 [chan receive] {aa: "x=y}", k: "a value, with \"quotes\" and spaces", zz: }:`, "chan receive",
			`{"aa":"x=y}", "k":"a value, with \"quotes\" and spaces", "zz":""}`, 0},
		{`goroutine 9 [chan receive] {b: 2, "weird key": "v\nnewline"}:`, "chan receive", `{"b":"2", "weird key":"v\nnewline"}`, 0},
		{`goroutine 1 [running] {"req-id": 42, user: "bob smith"}:`, "running", `{"req-id":"42", "user":"bob smith"}`, 0},
		{`goroutine 3 [select] {a: , b: x/y.z_1}:`, "select", `{"a":"", "b":"x/y.z_1"}`, 0},
		{`goroutine 5 [chan receive labels:{"caller": "checkout"}]:`, "chan receive", `{"caller":"checkout"}`, 0},
		{`goroutine 6 [IO wait, 3 minutes labels:{"aa": "x]y", "k": "v"}]:`, "IO wait", `{"aa":"x]y", "k":"v"}`, 3 * time.Minute},
		{`goroutine 4 [select] {not labels at all:`, "select", ``, 0},
		{`goroutine 2 [select] {broken: "unterminated}:`, "select", `{broken: "unterminated}`, 0},
	} {
		var got []*Goroutine
		if _, err := Read(strings.NewReader(tt.header+"\nmain.f()\n\t/src/main.go:1 +0x1\n"), func(g *Goroutine) { got = append(got, g) }); err != nil {
			t.Errorf("%s: %v", tt.header, err)
			continue
		}
		if len(got) != 1 || got[0].State != tt.state || got[0].Labels != tt.labels || got[0].Wait != tt.wait {
			t.Errorf("%s: got %+v, want state %q, labels %s, wait %v", tt.header, got[0], tt.state, tt.labels, tt.wait)
		}
	}
}

// TestTrailingLines checks that a line which is no frame ends the goroutine
// before it, as what a shell or a test runner prints after a traceback
// does ("exit status 2"), with no blank line between them.
func TestTrailingLines(t *testing.T) {
	const tb = "panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/src/main.go:5 +0x1\n\ngoroutine 7 [IO wait]:\nnet/http.(*persistConn).readLoop(0xc0)\n\tnet/http/transport.go:2330 +0x172\n"
	for _, tail := range []string{"exit status 2\n", "FAIL\texample.com/app\t0.1s\n", "goroutine running on other thread; stack unavailable\n"} {
		var got []*Goroutine
		if _, err := Read(strings.NewReader(tb+tail), func(g *Goroutine) { got = append(got, g) }); err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[1].Entry() != "net/http.(*persistConn).readLoop" || len(got[1].Frames) != 1 {
			t.Errorf("%q after a traceback: got %d goroutines, the last %+v; want its readLoop alone", tail, len(got), got[len(got)-1])
		}
	}
}
