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
