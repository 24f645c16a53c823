package diagnose

import (
	"fmt"
	"strings"
	"testing"

	"github.com/connleak/connleak/dump"
)

// TestRecentClassify checks that classifying through the stacks met
// recently gives what classify gives, goroutine by goroutine: for a stack
// met again, one that differs in a frame alone or in its depth, one of no
// frames, more distinct stacks than are kept, and frames a caller changed
// after it added them.
func TestRecentClassify(t *testing.T) {
	frames := func(funcs string) []dump.Frame {
		var fs []dump.Frame
		for _, f := range strings.Fields(funcs) {
			fs = append(fs, dump.Frame{Func: f})
		}
		return fs
	}
	const (
		readLoop  = "internal/poll.runtime_pollWait bufio.(*Reader).Peek net/http.(*persistConn).readLoop"
		bodyWait  = "runtime.gopark runtime.selectgo net/http.(*persistConn).readLoop"
		writeLoop = "runtime.gopark runtime.selectgo net/http.(*persistConn).writeLoop"
		serving   = "net/http.serverHandler.ServeHTTP net/http.(*conn).serve"
		idle      = "bufio.(*Reader).Peek net/http.(*conn).serve"
		calling   = "runtime.gopark runtime.selectgo net/http.(*persistConn).roundTrip net/http.(*Transport).roundTrip main.main"
		dialling  = "net/http.(*Transport).dialConn net/http.(*Transport).dialConnFor"
	)
	var many []string
	for i := range 20 {
		many = append(many, fmt.Sprintf("main.f%d", i), idle, "main.main")
	}
	for _, tt := range []struct {
		name   string
		stacks []string
	}{
		{"again", []string{readLoop, writeLoop, readLoop, writeLoop, serving, serving}},
		{"changed by the caller", []string{readLoop, "main.changed main.changed main.changed", readLoop}},
		{"a frame apart", []string{readLoop, bodyWait, readLoop, serving, idle, serving, idle}},
		{"deeper", []string{idle, "net/http.(*conn).readRequest " + idle, idle}},
		{"no frames", []string{"", readLoop, "", dialling, ""}},
		{"more than kept", append(many, calling, readLoop, calling)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var r recent
			for i, s := range tt.stacks {
				g := &dump.Goroutine{Count: 1, Frames: frames(s)}
				wantConn, wantCall := classify(g)
				if conn, call := r.classify(g); conn != wantConn || call != wantCall {
					t.Errorf("goroutine %d (%s): kinds %d, %d; want %d, %d", i, s, conn, call, wantConn, wantCall)
				}
				for j := range g.Frames {
					g.Frames[j].Func = "main.changed" // the caller's, after Add
				}
			}
		})
	}
}
