package cli

import (
	"slices"
	"strings"
	"testing"

	"github.com/connleak/connleak/internal/testutil"
)

// TestLabFlags checks the lab commands' answers to bad command lines, each
// refused before anything starts with exit 1 and one line that says why,
// and that -h shows the flags and succeeds.
func TestLabFlags(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string // the error; "" for none
		out  string // in what the command wrote
	}{
		{[]string{"demo", "extra"}, `demo takes no arguments, got ["extra"]`, ""},
		{[]string{"demo", "-n", "0"}, "-n 0: accepts 1 to 10000 requests", ""},
		{[]string{"demo", "-wait", "-1s"}, "-wait -1s: accepts 0 to 5m", ""},
		{[]string{"demo", "-scenarios", "leak,nope"}, `-scenarios: unknown scenario "nope"`, ""},
		{[]string{"demo", "-h"}, "", "-check"},
		{[]string{"load"}, "load takes one URL, such as http://localhost:9090/forward", ""},
		{[]string{"load", "localhost:9090/forward"}, `load "localhost:9090/forward": want an http or https URL`, ""},
		{[]string{"load", "-c", "0", "http://127.0.0.1:1/forward"}, "-n 400 -c 0 -d 0s: accepts -n >= 1, -c from 1 to 1000, -d from 0 to 1h", ""},
		{[]string{"load", "-h"}, "", "usage: connleak load [-n 400] [-d 0] [-c 1] [-k] [-q] URL"},
		{[]string{"bench", "extra"}, `bench takes no arguments, got ["extra"]`, ""},
		{[]string{"bench", "-r", "0"}, "-c 8 -d 1.5s -r 0 -g 18000: accepts -c from 1 to 256, -d up to 1m, -r from 1 to 20, -g from 0 to", ""},
		{[]string{"bench", "-panicparse", "/nonexistent/pp"}, "-panicparse: ", ""},
		{[]string{"bench", "-bodyclose", "/nonexistent/bodyclose"}, "-bodyclose: ", ""},
		{[]string{"bench", "-h"}, "", "-bodyclose binary"},
		{[]string{"bench", "-bogus"}, "flag provided but not defined: -bogus", ""},
		{[]string{"bench", "-targets", "-1"}, "-targets -1: accepts 0 to 1000", ""},
		{[]string{"bench", "-hostile", "1001"}, "-hostile 1001: accepts 0 to 1000", ""},
		{[]string{"bench", "-h"}, "", "-hostile many"},
		{[]string{"bench", "-h"}, "", "-targets many"},
	} {
		r := run(t, "", testutil.Getenv(), nil, tt.args...)
		switch {
		case tt.want == "" && r.code != 0:
			t.Errorf("%q: exit %d, %q; want no error", tt.args, r.code, r.out())
		case tt.want != "" && (r.code != 1 || !strings.HasPrefix(lastLine(r.stderr), "connleak: ") || !strings.Contains(lastLine(r.stderr), tt.want)):
			t.Errorf("%q: exit %d, %q; want exit 1 and a last line saying %q", tt.args, r.code, r.stderr, tt.want)
		}
		if !strings.Contains(r.out(), tt.out) {
			t.Errorf("%q wrote %q, want %q in it", tt.args, r.out(), tt.out)
		}
	}
}

// TestExporterSizes checks the dumps bench's exporter table probes: of
// 1000 goroutines, and of -g's where it is another count.
func TestExporterSizes(t *testing.T) {
	for g, want := range map[int][]int{18000: {1000, 18000}, 2000: {1000, 2000}, 500: {1000, 500}, 1000: {1000}, 0: {1000}} {
		if got := exporterSizes(g); !slices.Equal(got, want) {
			t.Errorf("-g %d: dumps of %v goroutines, want %v", g, got, want)
		}
	}
}

// lastLine is the last line of s, without its newline.
func lastLine(s string) string {
	s = strings.TrimSuffix(s, "\n")
	return s[strings.LastIndexByte(s, '\n')+1:]
}
