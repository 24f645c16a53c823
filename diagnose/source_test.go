package diagnose

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/connleak/connleak/dump"
)

// idleDump is a debug=2 dump of n idle client connections, each made, as
// its tracebackancestors section says, by fn at file:12, each a readLoop
// and a writeLoop; with labels, the readLoops' headers carry them.
func idleDump(n int, fn, file, labels string) string {
	var b strings.Builder
	for i := range n {
		header := "[IO wait, 3 minutes]"
		if labels != "" {
			header = "[IO wait, 3 minutes labels:" + labels + "]"
		}
		fmt.Fprintf(&b, `goroutine %d %s:
internal/poll.runtime_pollWait(0x7f, 0x72)
	runtime/netpoll.go:351 +0x85
net/http.(*persistConn).Read(0xc0, {0xc0, 0x1000, 0x1000})
	net/http/transport.go:2174 +0x47
bufio.(*Reader).Peek(0xc0, 0x1)
	bufio/bufio.go:152 +0x53
net/http.(*persistConn).readLoop(0xc0)
	net/http/transport.go:2330 +0x172
created by net/http.(*Transport).dialConn in goroutine 8
	net/http/transport.go:1994 +0x16ac
[originating from goroutine 8]:
net/http.(*Transport).dialConnFor(...)
	net/http/transport.go:1648 +0xd2
[originating from goroutine 1]:
net/http.(*Client).Do(...)
	net/http/client.go:590 +0x1
%s(...)
	%s:12 +0x1

goroutine %d [select, 3 minutes]:
net/http.(*persistConn).writeLoop(0xc0)
	net/http/transport.go:2530 +0xe5
created by net/http.(*Transport).dialConn in goroutine 8
	net/http/transport.go:1995 +0x16ac

`, 2*i+10, header, fn, file, 2*i+11)
	}
	return b.String()
}

// dumpServer serves body at every path, as a pprof endpoint would.
func dumpServer(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// diagnoseText reads src as Source does and returns its report in words.
func diagnoseText(ctx context.Context, src string, opts Options) (string, error) {
	r, err := Source(ctx, src, opts)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	err = r.WriteText(&b, r.Source, nil)
	return b.String(), err
}

// TestSchemes checks that a URL of a scheme diagnose does not read is
// refused by name, not read as a file, and that HTTP:// is a URL.
func TestSchemes(t *testing.T) {
	t.Parallel()
	srv := dumpServer(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, idleDump(60, "main.call", "/src/main.go", ""))
	})
	for _, src := range []string{"file:///tmp/dump.txt", "ftp://127.0.0.1/dump.txt", "unix:///run/app.sock", "gopher://x"} {
		_, err := Source(context.Background(), src, Options{})
		if err == nil || !strings.Contains(err.Error(), "accepts http:// and https:// URLs, a file") || strings.Contains(err.Error(), "no such file") {
			t.Errorf("diagnose %s: %v, want a refusal of its scheme that says what is accepted", src, err)
		}
	}
	upper := "HTTP://" + strings.TrimPrefix(srv.URL, "http://") + "/debug/pprof/goroutine"
	out, err := diagnoseText(context.Background(), upper, Options{})
	if err != nil || !strings.Contains(out, "idle-client-connections (60)") {
		t.Errorf("diagnose %s: %v\n%s\nwant it read as a URL", upper, err, out)
	}
}

// TestPasswordRedacted checks that a URL's password is shown nowhere: not
// in the report's first line, not in -json's source, not in an error.
func TestPasswordRedacted(t *testing.T) {
	t.Parallel()
	srv := dumpServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/notes" {
			io.WriteString(w, "hello\n")
			return
		}
		io.WriteString(w, idleDump(60, "main.call", "/src/main.go", ""))
	})
	u, _ := url.Parse(srv.URL)
	u.User = url.UserPassword("ops", "s3cret")
	ctx, goroutines, notes := context.Background(), u.String()+"/debug/pprof/goroutine", u.String()+"/notes"
	asJSON := func(v any, err error) (string, error) {
		b, _ := json.Marshal(v)
		return string(b), err
	}
	growthText := func(g Growth, err error) (string, error) {
		var b strings.Builder
		g.WriteText(&b, nil)
		return b.String(), err
	}
	for _, tt := range []struct {
		name string
		run  func() (string, error)
	}{
		{"in words", func() (string, error) { return diagnoseText(ctx, goroutines, Options{}) }},
		{"in JSON", func() (string, error) { return asJSON(Source(ctx, goroutines, Options{})) }},
		{"not a dump", func() (string, error) { return diagnoseText(ctx, notes, Options{}) }},
		{"growth in words", func() (string, error) { return growthText(Watch(ctx, goroutines, time.Millisecond, 2, Options{})) }},
		{"growth in JSON", func() (string, error) { return asJSON(Watch(ctx, goroutines, time.Millisecond, 2, Options{})) }},
		{"a scheme refused", func() (string, error) { return diagnoseText(ctx, "ftp://ops:s3cret@127.0.0.1/x", Options{}) }},
	} {
		out, err := tt.run()
		if strings.Contains(out, "s3cret") || err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: the password shows: %v\n%s", tt.name, err, out)
		}
		if !strings.Contains(out+fmt.Sprint(err), "ops:xxxxx@") {
			t.Errorf("%s: %v\n%s\nwant the URL, redacted", tt.name, err, out)
		}
	}
}

// TestOneTimeout checks that -timeout bounds a URL's dump in all, the
// debug=1 fetch after debug=2 included, and that a server that stalls
// after its headers is said to have timed out.
func TestOneTimeout(t *testing.T) {
	t.Parallel()
	srv := dumpServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("debug") {
		case "2": // findings with no sites, so diagnose asks for debug=1 too
			time.Sleep(800 * time.Millisecond) // an upstream that takes its time
			io.WriteString(w, idleDump(60, "net/http.(*Client).Do", "/go/src/net/http/client.go", ""))
		default: // headers, then nothing
			w.WriteHeader(http.StatusOK)
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}
	})
	start := time.Now()
	out, err := diagnoseText(context.Background(), srv.URL+"/debug/pprof/goroutine", Options{Timeout: time.Second})
	if err != nil || !strings.Contains(out, "idle-client-connections (60)") {
		t.Fatalf("diagnose: %v\n%s\nwant the debug=2 diagnosis, standing on its own", err, out)
	}
	if took := time.Since(start); took > 1600*time.Millisecond {
		t.Errorf("diagnose -timeout 1s took %v: the debug=1 fetch had a timeout of its own", took)
	}

	_, err = Source(context.Background(), srv.URL+"/debug/pprof/goroutine?debug=1", Options{Timeout: 200 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "timed out: no whole dump within 200ms (-timeout)") || strings.Contains(err.Error(), "closed network connection") {
		t.Errorf("diagnose of a server that stalls after its headers: %v, want timed out", err)
	}
	for _, bad := range []Options{{Timeout: -time.Second}, {Debug: 3}} {
		if _, err := Source(context.Background(), srv.URL, bad); err == nil || !strings.Contains(err.Error(), "accepts") {
			t.Errorf("%+v: %v, want it refused", bad, err)
		}
	}
}

// TestFetchBounded checks that a URL's reply is bounded as it arrives, and
// that one compressed with Content-Encoding reaches the dump reader
// compressed, within its bounds, rather than inflated by the transport.
func TestFetchBounded(t *testing.T) {
	t.Parallel()
	text := idleDump(60, "main.call", "/src/main.go", "")
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	zw.Write([]byte("goroutine 1 [running]:\n"))
	frames := bytes.Repeat([]byte("main.f()\n"), 100_000)
	for range 20 { // 18 MB of frames, 18 KB gzipped
		zw.Write(frames)
	}
	zw.Close()
	var small bytes.Buffer
	zw = gzip.NewWriter(&small)
	zw.Write([]byte(text))
	zw.Close()
	srv := dumpServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/bomb", "/small":
			if r.Header.Get("Accept-Encoding") != "" {
				t.Errorf("the request asks for %q: want no compression asked for", r.Header.Get("Accept-Encoding"))
			}
			w.Header().Set("Content-Encoding", "gzip")
			b := bomb.Bytes()
			if r.URL.Path == "/small" {
				b = small.Bytes()
			}
			w.Write(b)
		default:
			io.WriteString(w, text)
		}
	})
	if _, err := Source(context.Background(), srv.URL+"/bomb?debug=2", Options{}); err == nil || !strings.Contains(err.Error(), "inflates past") {
		t.Errorf("a gzip bomb sent with Content-Encoding: %v, want it refused by the dump reader's bounds", err)
	}
	if out, err := diagnoseText(context.Background(), srv.URL+"/small?debug=2", Options{}); err != nil || !strings.Contains(out, "idle-client-connections (60)") {
		t.Errorf("a dump sent with Content-Encoding: gzip: %v\n%s", err, out)
	}

	for _, tt := range []struct {
		limit int64
		ok    bool
	}{{int64(len(text)), true}, {int64(len(text)) - 1, false}} {
		rc, err := fetch(context.Background(), srv.URL+"/text", 2, time.Minute, nil, tt.limit)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Read(rc)
		rc.Close()
		if tt.ok != (err == nil) || !tt.ok && !strings.Contains(err.Error(), fmt.Sprintf("more than %d bytes", tt.limit)) {
			t.Errorf("a reply of %d bytes, at most %d: %v", len(text), tt.limit, err)
		}
	}
}

// blocked is a reader whose reads block until its test ends, as a terminal
// or a FIFO's does; started is closed at the first read.
type blocked struct {
	started chan struct{}
	done    <-chan struct{}
}

func (b blocked) Read([]byte) (int, error) {
	close(b.started)
	<-b.done
	return 0, io.EOF
}

// TestInterruptedRead checks that the end of Source's context ends a read
// of standard input that is blocked.
func TestInterruptedRead(t *testing.T) {
	t.Parallel()
	testDone := make(chan struct{})
	t.Cleanup(func() { close(testDone) })
	stdin := blocked{make(chan struct{}), testDone}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := Source(ctx, "-", Options{Stdin: stdin})
		errc <- err
	}()
	<-stdin.started
	cancel()
	if err := <-errc; err == nil || err.Error() != "standard input: interrupted before the dump was read" {
		t.Errorf("diagnose - when interrupted: %v", err)
	}
}

// TestTextEscaped checks that what a dump says reaches the terminal as
// text, with the bytes a terminal acts on escaped: in function and file
// names of ancestors, in labels that are not JSON, in the source's name,
// and in a caller's hint.
func TestTextEscaped(t *testing.T) {
	t.Parallel()
	hostile := []string{"\x1b]0;pwned\x07", "\x1b[2J", "\r", "\b", "\u202e"}
	for _, h := range hostile {
		// A text dump, where a lone CR ends a line; any dump (a binary
		// one's strings can hold a CR), as its goroutines are added.
		var d Diagnosis
		for range 60 {
			d.Add(&dump.Goroutine{Count: 1, Labels: "{not json" + h + "}",
				Frames:    []dump.Frame{{Func: "internal/poll.runtime_pollWait"}, {Func: "net/http.(*persistConn).readLoop"}},
				Ancestors: [][]dump.Frame{{{Func: "main.ev" + h + "il", File: "/src/ev" + h + "il.go", Line: 12}}}})
		}
		r := d.Report(dump.Binary)
		if h != "\r" {
			var err error
			r, err = Read(strings.NewReader(idleDump(60, "main.ev"+h+"il", "/src/ev"+h+"il.go", "{not json"+h+"}")))
			if err != nil {
				t.Fatal(err)
			}
		}
		var b strings.Builder
		r.WriteText(&b, "dump"+h+".txt", func(Finding) string { return "hint" + h })
		out := b.String()
		if !strings.Contains(out, "made at:") {
			t.Fatalf("%q: no sites in\n%s", h, out)
		}
		for _, c := range out {
			if c != '\n' && (c < ' ' || c == 0x7f || c == '\u202e') {
				t.Errorf("%q: the text output holds %U:\n%q", h, c, out)
				break
			}
		}
		q := strings.Trim(fmt.Sprintf("%+q", h), `"`)
		if !strings.Contains(out, "main.ev"+q+"il") || !strings.Contains(out, "dump"+q+".txt") || !strings.Contains(out, "  hint"+q+"\n") {
			t.Errorf("%q: want it escaped as %s in\n%s", h, q, out)
		}
		js, _ := json.Marshal(r)
		if !bytes.Contains(js, []byte(`"function":"main.ev`)) {
			t.Errorf("%q: the JSON lost the site: %s", h, js)
		}
	}
}

// TestRootCAs checks that an https URL is read when its server's CA is
// among Options.RootCAs, and refused when it is not: the system's roots
// alone do not trust a test server's.
func TestRootCAs(t *testing.T) {
	t.Parallel()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, idleDump(60, "main.call", "/src/main.go", ""))
	}))
	t.Cleanup(srv.Close)
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	for _, tt := range []struct {
		name  string
		roots *x509.CertPool
		want  string // in the error, or "" for the report
	}{
		{"the system's roots", nil, "certificate signed by unknown authority"},
		{"the server's CA", roots, ""},
	} {
		out, err := diagnoseText(context.Background(), srv.URL+"/debug/pprof/goroutine", Options{RootCAs: tt.roots})
		switch {
		case tt.want == "" && (err != nil || !strings.Contains(out, "idle-client-connections (60)")):
			t.Errorf("%s: %v\n%s\nwant the dump read", tt.name, err, out)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
}

// TestWatchRefuses checks that Watch takes dumps only of a URL, two at
// least, at an interval.
func TestWatchRefuses(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		src     string
		every   time.Duration
		samples int
		want    string
	}{
		{"dump.txt", time.Second, 2, "dump.txt: Watch takes dumps of a running program"},
		{"-", time.Second, 2, "standard input: Watch takes dumps of a running program"},
		{"ftp://127.0.0.1/x", time.Second, 2, "accepts http:// and https:// URLs"},
		{"http://127.0.0.1:1/debug/pprof/goroutine", time.Second, 1, "1 samples: Watch takes 2 or more"},
		{"http://127.0.0.1:1/debug/pprof/goroutine", 0, 2, "every 0s: Watch takes an interval above 0"},
	} {
		if _, err := Watch(context.Background(), tt.src, tt.every, tt.samples, Options{}); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Watch(%q, %v, %d): %v, want %q", tt.src, tt.every, tt.samples, err, tt.want)
		}
	}
}
