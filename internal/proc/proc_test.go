package proc

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The test binary is its own child: with PROC_TEST_CHILD set, it plays
// that part instead of running the tests.
func TestMain(m *testing.M) {
	switch os.Getenv("PROC_TEST_CHILD") {
	case "serve": // says it serves, and exits 0 on SIGTERM
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM)
		fmt.Fprintln(os.Stderr, `msg="serving" url=http://127.0.0.1:1`)
		<-sig
		os.Exit(0)
	case "stubborn": // says it serves, and ignores SIGTERM
		signal.Ignore(syscall.SIGTERM)
		never := make(chan os.Signal, 1)
		signal.Notify(never, syscall.SIGUSR1) // nobody sends it: it blocks until killed
		fmt.Fprintln(os.Stderr, `msg="serving" url=http://127.0.0.1:2`)
		<-never
		os.Exit(0)
	case "quit": // exits at once, with status 3
		os.Exit(3)
	}
	os.Exit(m.Run())
}

var servingLine = regexp.MustCompile(`msg="serving" url=(\S+)`)

// child starts the test binary as a child of the kind given, its output in
// a log file it returns.
func child(t *testing.T, kind string) (*Process, string) {
	t.Helper()
	log := filepath.Join(t.TempDir(), kind+".log")
	f, err := os.Create(log)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd := exec.Command(os.Args[0])
	cmd.Env = []string{"PROC_TEST_CHILD=" + kind}
	cmd.Stdout, cmd.Stderr = f, f
	p, err := Start(cmd)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Kill)
	return p, log
}

func TestAwaitLineAndStop(t *testing.T) {
	p, log := child(t, "serve")
	url, err := p.AwaitLine(t.Context(), 30*time.Second, log, servingLine)
	if err != nil || url != "http://127.0.0.1:1" {
		t.Fatalf("AwaitLine: %q, %v; want the URL of the serving line", url, err)
	}
	if err := p.Stop(30 * time.Second); err != nil {
		t.Errorf("Stop of a child that exits 0 on SIGTERM: %v", err)
	}
	if err := p.Stop(time.Second); err != nil {
		t.Errorf("Stop again: %v, want nil", err)
	}
}

func TestStopKillsAChildThatIgnoresSIGTERM(t *testing.T) {
	p, log := child(t, "stubborn")
	if _, err := p.AwaitLine(t.Context(), 30*time.Second, log, servingLine); err != nil {
		t.Fatal(err) // its SIGTERM is ignored from here on
	}
	err := p.Stop(100 * time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "killed") {
		t.Errorf("Stop: %v, want an error saying it was killed", err)
	}
	select {
	case <-p.Exited():
	default:
		t.Error("Stop returned with the child still running")
	}
}

func TestAwaitGivesUpWhenTheChildExits(t *testing.T) {
	p, log := child(t, "quit")
	start := time.Now()
	_, err := p.AwaitLine(t.Context(), time.Minute, log, servingLine)
	if err == nil || !strings.Contains(err.Error(), "exited") || !strings.Contains(err.Error(), "exit status 3") {
		t.Errorf("AwaitLine on a child that exits: %v, want an error saying it exited with status 3", err)
	}
	if waited := time.Since(start); waited > 30*time.Second {
		t.Errorf("AwaitLine waited %v for a child that had exited", waited)
	}
	if err := p.Stop(time.Second); err == nil {
		t.Error("Stop of a child that exited with status 3: nil, want its status")
	}
}
