package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/connleak/connleak/diagnose"
)

// TestDiagnoseCommand runs connleak diagnose as a user would, on a lab
// leak: by URL, on a saved file, on standard input, in words and in JSON.
func TestDiagnoseCommand(t *testing.T) {
	t.Parallel()
	const n = 60
	p := startPair(t)
	for range n {
		if r := get(t, p.Server2.URL+"/forward"); r.Status != 200 {
			t.Fatalf("/forward: %d %s", r.Status, r.Error)
		}
	}
	url2 := p.Server2.URL + "/debug/pprof/goroutine"

	out, err := exec.Command(exe, "diagnose", url2, p.Server1.URL+"/debug/pprof/goroutine").CombinedOutput()
	if err != nil {
		t.Fatalf("diagnose by URL: %v\n%s", err, out)
	}
	for _, want := range []string{
		url2 + ": ", " goroutines (debug=2)\n",
		"client: 60 HTTP/1 and 0 HTTP/2 connections: 60 idle",
		"\nidle-client-connections (60)\n", "  fix: Make one client", "  made at:\n        60  labels {\"forward\":\"(defaults)\"}\n",
		"  reproduce: connleak demo -scenarios leak\n",
		"server: 61 HTTP/1 and 0 HTTP/2 connections: 60 idle, 1 active", "\nidle-server-connections (60)\n",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("diagnose by URL: no %q in\n%s", want, out)
		}
	}

	// A dump saved to a file, and the same on standard input, in JSON.
	file := filepath.Join(t.TempDir(), "goroutines.txt")
	dump := text(t, url2+"?debug=1")
	if err := os.WriteFile(file, []byte(dump), 0o644); err != nil {
		t.Fatal(err)
	}
	stdin := exec.Command(exe, "diagnose", "-json", "-")
	stdin.Stdin = strings.NewReader(dump)
	for _, cmd := range []*exec.Cmd{exec.Command(exe, "diagnose", "-json", file), stdin} {
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%v: %v", cmd.Args, err)
		}
		var r diagnose.Report
		if err := json.Unmarshal(out, &r); err != nil || bytes.Count(out, []byte("\n")) != 1 {
			t.Fatalf("%v: %v, want one line of JSON: %s", cmd.Args, err, out)
		}
		if r.Format != "debug=1" || r.Client.HTTP1 != n || r.Client.Idle != n || r.IDs() != "idle-client-connections" || !r.Sited {
			t.Errorf("%v: %+v", cmd.Args, r)
		}
		if !regexp.MustCompile(`^\{"goroutines":\d+,"format":"debug=1","client":\{"http1":60,"http2":0,"idle":60,"bodyUnread":0,"inFlight":0,"dialing":0,"waitingForConn":0,"handshaking":0,"idleHttp2":0\},"server":\{"http1":1,"http2":0,"idle":0,"active":1,"awaitingRequest":0,"idleHttp2":0\},"findings":\[\{"id":"idle-client-connections","count":60,"message":`).Match(out) {
			t.Errorf("%v: the JSON's keys are not the stable ones, in order: %s", cmd.Args, out)
		}
	}
}

// TestDiagnoseGrowth takes three dumps of a server 2 while a load leaks
// connections: the idle count only grows, and is named.
func TestDiagnoseGrowth(t *testing.T) {
	t.Parallel()
	p := startPair(t)
	load := exec.Command(exe, "load", "-q", "-d", "1m", "-c", "1", p.Server2.URL+"/forward") // stopped when the test ends
	if err := load.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { load.Process.Kill(); load.Wait() })
	out, err := exec.Command(exe, "diagnose", "-json", "-every", "500ms", "-samples", "3", p.Server2.URL+"/debug/pprof/goroutine").Output()
	if err != nil {
		t.Fatalf("diagnose -samples 3: %v\n%s", err, out)
	}
	var g diagnose.Growth
	if err := json.Unmarshal(out, &g); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(g.Samples) != 3 || !contains(g.OnlyGrowing, "client.idle") || !contains(g.OnlyGrowing, "client.http1") || g.PerMinute["client.idle"] <= 0 {
		t.Errorf("growth %+v: want 3 samples, client.idle and client.http1 only growing", g)
	}
	if contains(g.OnlyGrowing, "server.http1") {
		t.Errorf("server 2's own server connections only grew: %v", g.OnlyGrowing)
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// TestDiagnoseInterrupt checks that the first SIGINT ends a diagnose that
// is reading a FIFO, at once, with one line that says so.
func TestDiagnoseInterrupt(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "dump.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	// Hold the FIFO open (read and write, so the open does not wait) and
	// never write: diagnose blocks in its read.
	w, err := os.OpenFile(fifo, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var out bytes.Buffer
	cmd := exec.Command(exe, "diagnose", fifo)
	cmd.Stdout, cmd.Stderr = &out, &out
	p := startProcess(t, cmd)
	// Once it has the FIFO open, its signal handler is in place: it is
	// set before the command runs.
	eventually(t, 10*time.Second, func() error {
		fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", cmd.Process.Pid))
		for _, fd := range fds {
			if target, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", cmd.Process.Pid, fd.Name())); target == fifo {
				return nil
			}
		}
		return errors.New("diagnose has not opened the FIFO")
	})
	cmd.Process.Signal(os.Interrupt)
	err = waitExit(t, p, 10*time.Second, "diagnose to end after the first SIGINT")
	if exitCode(err) != 1 || out.String() != "connleak: "+fifo+": interrupted before the dump was read\n" {
		t.Errorf("diagnose after SIGINT: exit %d, %q; want exit 1 and one line saying it was interrupted", exitCode(err), out.String())
	}
}
