package cli

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/connleak/connleak/diagnose"

	"github.com/connleak/connleak/connleaktest"
	"github.com/connleak/connleak/internal/labca"
	"github.com/connleak/connleak/internal/testutil"
	"github.com/connleak/connleak/server"
)

// serveLab runs a lab server with cfg in this process, on 127.0.0.1:0,
// until the test ends, and returns its base URL.
func serveLab(t *testing.T, cfg server.Config) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- server.New(cfg).Serve(ctx, ln, slog.New(slog.NewTextHandler(io.Discard, nil))) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(2 * server.ShutdownTimeout):
			t.Errorf("the lab server had not stopped %v after its context was done", 2*server.ShutdownTimeout)
		}
	})
	scheme := "http"
	if cfg.Proto == server.ServeH2 || cfg.Proto == server.ServeH1TLS {
		scheme = "https"
	}
	return scheme + "://" + ln.Addr().String()
}

// labCAFile writes the lab CA's certificate as PEM to a file, for
// diagnose -ca, and returns its name.
func labCAFile(t *testing.T) string {
	t.Helper()
	cert, _, err := labca.CA()
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "labca.pem")
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// TestDiagnoseTLS reads the dump of a server that serves TLS, trusting the
// lab CA given with -ca.
func TestDiagnoseTLS(t *testing.T) {
	connleaktest.Check(t, noIdle)
	t.Parallel()
	url := serveLab(t, server.Config{Proto: server.ServeH2})
	if !strings.HasPrefix(url, "https://") {
		t.Fatalf("SERVER_PROTO=h2 serves %s, want https", url)
	}
	r := run(t, "", testutil.Getenv(), nil, "diagnose", "-ca", labCAFile(t), url+"/debug/pprof/goroutine")
	if r.code != 0 || !strings.Contains(r.stdout, "goroutines (debug=2)") {
		t.Errorf("diagnose -ca over https: exit %d\n%s", r.code, r.out())
	}
	r = run(t, "", testutil.Getenv(), nil, "diagnose", url+"/debug/pprof/goroutine")
	if r.code != 1 || !strings.Contains(r.out(), "certificate signed by unknown authority") {
		t.Errorf("diagnose over https without -ca: exit %d\n%s\nwant exit 1: the lab CA is not trusted by itself", r.code, r.out())
	}
}

// TestDiagnoseBadInput checks that every wrong use says what was wrong in
// one line and exits 1.
func TestDiagnoseBadInput(t *testing.T) {
	connleaktest.Check(t, noIdle)
	t.Parallel()
	notADump := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(notADump, []byte("hello\nworld\n"), 0o644)
	down := "http://127.0.0.1:1/debug/pprof/goroutine"
	lab := serveLab(t, server.Config{})
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"diagnose"}, "diagnose takes one or more goroutine dumps"},
		{[]string{"diagnose", "/no/such/file"}, "no such file"},
		{[]string{"diagnose", notADump}, "no goroutine found"},
		{[]string{"diagnose", down}, "connection refused"},
		{[]string{"diagnose", lab + "/debug/pprof/nosuch"}, "404 Not Found"},
		{[]string{"diagnose", "-debug", "3", notADump}, "-debug 3: accepts 1 or 2"},
		{[]string{"diagnose", "-samples", "3", notADump}, "-every"},
		{[]string{"diagnose", "-samples", "2", "-every", "1s", notADump}, "-samples takes dumps of a running program"},
		{[]string{"diagnose", "-every", "1s", notADump}, "-every goes with -samples"},
		{[]string{"diagnose", "-", "-"}, "standard input (-) can be read once"},
		{[]string{"diagnose", "dump-", "/no/such/file"}, "no such file"},
		{[]string{"diagnose", "-timeout", "0s", notADump}, "-timeout 0s: accepts a duration above 0 and up to 1h"},
		{[]string{"diagnose", "-timeout", "-1s", notADump}, "-timeout -1s: accepts a duration above 0 and up to 1h"},
		{[]string{"diagnose", "-timeout", "2h", notADump}, "-timeout 2h0m0s: accepts a duration above 0 and up to 1h"},
		{[]string{"diagnose", "-ca", notADump, down}, "-ca " + notADump + ": no PEM certificate in it"},
		{[]string{"diagnose", "-ca", "/no/such/file", down}, "-ca: open /no/such/file: no such file"},
		{[]string{"diagnose", "-binary", notADump, down}, "-binary: " + notADump + ": not an ELF, Mach-O or PE executable"},
		{[]string{"diagnose", "-binary", filepath.Dir(notADump), down}, "-binary: " + filepath.Dir(notADump) + ": not a regular file"},
	} {
		r := run(t, "", testutil.Getenv(), strings.NewReader(""), tt.args...)
		if r.code != 1 || strings.Count(r.out(), "\n") != 1 || !strings.Contains(r.out(), tt.want) {
			t.Errorf("%q: exit %d, %q; want exit 1 and one line saying %q", tt.args, r.code, r.out(), tt.want)
		}
	}
}

// TestDiagnoseBinary reads the dump of a program whose call that leaks a
// connection is on a known line (diagnose's testdata/calls, the call marked
// "// call: plain"), run with GODEBUG=tracebackancestors=5: with -binary
// and the program's executable, the site is that line, exact in -json;
// without, the line after it, where the call returns, at or just before
// which the call is.
func TestDiagnoseBinary(t *testing.T) {
	connleaktest.Check(t, noIdle)
	t.Parallel()
	const src = "../../../diagnose/testdata/calls"
	dir := t.TempDir()
	bin, dump := filepath.Join(dir, "calls"), filepath.Join(dir, "goroutines.txt")
	build := exec.Command("go", "build", "-trimpath", "-o", bin, ".")
	build.Dir = src
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	calls := exec.CommandContext(ctx, bin) // killed, by its PID, if it outlives the minute
	calls.Env = append(os.Environ(), "GODEBUG=tracebackancestors=5")
	out, err := calls.Output()
	if err != nil {
		t.Fatalf("%s: %v", bin, err)
	}
	if err := os.WriteFile(dump, out, 0o644); err != nil {
		t.Fatal(err)
	}
	code, err := os.ReadFile(filepath.Join(src, "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	line := strings.Count(string(code[:strings.Index(string(code), "// call: plain")]), "\n") + 1
	const file = "connleak/diagnose/testdata/calls/main.go"

	r := run(t, "", testutil.Getenv(), nil, "diagnose", "-binary", bin, dump)
	if want := fmt.Sprintf("main.plain (%s:%d)\n", file, line); r.code != 0 || !strings.Contains(r.stdout, want) || strings.Contains(r.stdout, "at or just before") {
		t.Errorf("diagnose -binary: exit %d\n%s\nwant the call's own line, %q", r.code, r.out(), want)
	}
	r = run(t, "", testutil.Getenv(), nil, "diagnose", "-json", "-binary", bin, dump)
	var rep diagnose.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || !strings.Contains(r.stdout, fmt.Sprintf(`"line":%d,"exact":true,`, line)) {
		t.Errorf("diagnose -json -binary: %v\n%s\nwant a site at line %d, exact", err, r.out(), line)
	}
	r = run(t, "", testutil.Getenv(), nil, "diagnose", dump)
	if want := fmt.Sprintf("main.plain (%s, at or just before line %d)\n", file, line+1); r.code != 0 || !strings.Contains(r.stdout, want) || !strings.Contains(r.stdout, "connleak diagnose -binary FILE") {
		t.Errorf("diagnose without -binary: exit %d\n%s\nwant %q, the line the call returns to, and how to name the call's", r.code, r.out(), want)
	}
	r = run(t, "", testutil.Getenv(), nil, "diagnose", "-json", dump)
	if !strings.Contains(r.stdout, fmt.Sprintf(`"line":%d,"exact":false,`, line+1)) {
		t.Errorf("diagnose -json without -binary:\n%s\nwant a site at line %d, not exact", r.out(), line+1)
	}
}
