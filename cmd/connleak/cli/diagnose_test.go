package cli

import (
	"context"
	"encoding/pem"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	} {
		r := run(t, "", testutil.Getenv(), strings.NewReader(""), tt.args...)
		if r.code != 1 || strings.Count(r.out(), "\n") != 1 || !strings.Contains(r.out(), tt.want) {
			t.Errorf("%q: exit %d, %q; want exit 1 and one line saying %q", tt.args, r.code, r.out(), tt.want)
		}
	}
}
