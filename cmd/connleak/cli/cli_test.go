package cli

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/connleak/connleak/connleaktest"
	"github.com/connleak/connleak/internal/testutil"
)

// TestRunServe checks that run serves until its context is done, then
// returns nil, leaving no connection open.
func TestRunServe(t *testing.T) {
	connleaktest.Check(t, noIdle)
	addr, stop := serving(t, testutil.Getenv("BIND_ADDRESS", "127.0.0.1:0"))
	url := "http://" + addr
	resp, err := http.Get(url + "/hello")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(string(b), `{"msg":"Hello World","goRoutines":`) {
		t.Errorf("GET /hello: %d %s", resp.StatusCode, b)
	}
	stop()
}

func TestRunErrors(t *testing.T) {
	tests := []struct {
		args []string
		env  func(string) string
		want string
	}{
		{[]string{"frobnicate"}, testutil.Getenv(), `unknown command "frobnicate"`},
		{[]string{"serve", "extra"}, testutil.Getenv(), "serve takes no arguments"},
		{[]string{"-bogus"}, testutil.Getenv(), "flag provided but not defined"},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		err := Run(context.Background(), tt.args, tt.env, nil, &out, &out)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Run(%q): %v, want an error saying %q", tt.args, err, tt.want)
		}
	}
	if err := Run(context.Background(), []string{"-h"}, testutil.Getenv(), nil, &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Errorf("Run -h: %v, want nil", err)
	}
}

// TestHelp checks that connleak help COMMAND shows that command's usage,
// its line first, and nothing else: not the flag package's bare "Usage
// of", nor the list of the commands, which connleak help, help help and
// connleak -h show.
func TestHelp(t *testing.T) {
	for _, c := range commands() {
		want := "usage: connleak " + c.name + "\n"
		switch c.name {
		case "serve":
			want = "usage: connleak [serve]\n"
		case "help":
			want = "usage: connleak [COMMAND] [flags] [arguments]\n"
		}
		r := run(t, "", testutil.Getenv(), nil, "help", c.name)
		first, _, _ := strings.Cut(r.stdout, "\n")
		switch {
		case r.code != 0 || r.stderr != "":
			t.Errorf("help %s: exit %d\n%s\nwant exit 0 and the usage on standard output", c.name, r.code, r.out())
		case !strings.HasPrefix(r.stdout, want) && !strings.HasPrefix(r.stdout, strings.TrimSuffix(want, "\n")+" "):
			t.Errorf("help %s begins %q, want %q", c.name, first, strings.TrimSpace(want))
		case strings.Contains(r.stdout, "Usage of"):
			t.Errorf("help %s:\n%s\nwant no bare Usage of the flag package", c.name, r.stdout)
		case c.name != "help" && strings.Contains(r.stdout, "\ncommands:\n"):
			t.Errorf("help %s:\n%s\nwant its usage alone, not the list of commands", c.name, r.stdout)
		}
	}
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}, {"help", "-h"}} {
		if r := run(t, "", testutil.Getenv(), nil, args...); r.code != 0 || !strings.HasPrefix(r.stdout, "usage: connleak [COMMAND]") || !strings.Contains(r.stdout, "\ncommands:\n  serve ") {
			t.Errorf("%q: exit %d\n%s\nwant the list of commands", args, r.code, r.out())
		}
	}
}

// TestIsVetTool checks that the vet-tool mode is entered for exactly the
// invocations go vet makes, and for no command whose last argument ends in
// .cfg.
func TestIsVetTool(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want bool
	}{
		{[]string{"-V=full"}, true},
		{[]string{"-flags"}, true},
		{[]string{"/tmp/go-build1/b001/vet.cfg"}, true},
		{[]string{"-unsafeptr=false", "-client-per-call", "/tmp/go-build1/b001/vet.cfg"}, true},
		{nil, false},
		{[]string{"diagnose", "dump.cfg"}, false},
		{[]string{"diagnose", "vet.cfg"}, false},
		{[]string{"diagnose", "a.txt", "b.cfg"}, false},
		{[]string{"diagnose", "http://127.0.0.1:6060/debug/pprof/goroutine?x=.cfg"}, false},
		{[]string{"demo", "-out", "report.cfg"}, false},
		{[]string{"load", "http://127.0.0.1:9090/a.cfg"}, false},
		{[]string{"vet", "vet.cfg"}, false},
		{[]string{"-V=full", "diagnose"}, false},
		{[]string{"x.cfg"}, false},
	} {
		if got := isVetTool(tt.args); got != tt.want {
			t.Errorf("isVetTool(%q) = %v, want %v", tt.args, got, tt.want)
		}
	}
}

// TestOneLine checks that an error message reaches the terminal as one
// line of text, whatever bytes it carries.
func TestOneLine(t *testing.T) {
	for in, want := range map[string]string{
		"plain: message":        "plain: message",
		"two\nlines":            `two\nlines`,
		"title \x1b]0;x\x07":    `title \x1b]0;x\a`,
		"bidi \u202eevil":       `bidi \u202eevil`,
		"not utf-8 \xff":        `not utf-8 \xff`,
		"unicode is fine: é, ü": "unicode is fine: é, ü",
	} {
		if got := oneLine(in); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", in, got, want)
		}
	}
}
