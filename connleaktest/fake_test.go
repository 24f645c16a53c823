package connleaktest_test

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/connleak/connleak/connleaktest"
)

// fakeT is a test of its own inside a real one: it records what the
// checks it is given report, so a case that must fail can fail without
// failing the real test. What it does not record goes to the real test.
type fakeT struct {
	testing.TB        // the real test
	name       string // its own name, if not the real test's

	mu       sync.Mutex // guards errs and failed
	errs     []string
	failed   bool
	cleanups []func() // on the fake test's goroutine only
}

func (f *fakeT) Helper() {}

func (f *fakeT) Name() string {
	if f.name != "" {
		return f.name
	}
	return f.TB.Name()
}

func (f *fakeT) Error(args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errs = append(f.errs, fmt.Sprint(args...))
	f.failed = true
}

func (f *fakeT) Errorf(format string, args ...any) { f.Error(fmt.Sprintf(format, args...)) }

func (f *fakeT) Fatal(args ...any) {
	f.Error(args...)
	runtime.Goexit()
}

func (f *fakeT) Fatalf(format string, args ...any) { f.Fatal(fmt.Sprintf(format, args...)) }

func (f *fakeT) Failed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed
}

func (f *fakeT) Skipped() bool { return false }

func (f *fakeT) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }

// runCase runs body as a test of its own, on a goroutine of its own as the
// testing package runs a test, with Check called first, and returns what
// its check reported: "" for a pass.
func runCase(t *testing.T, body func(t testing.TB), opts ...connleaktest.Option) string {
	t.Helper()
	return goCase(t, "", body, opts...)()
}

// goCase starts body as runCase runs it, as a test named name (the real
// test's if ""), and returns a function that waits for it to end and
// returns what its check reported.
func goCase(t *testing.T, name string, body func(t testing.TB), opts ...connleaktest.Option) (wait func() string) {
	t.Helper()
	f := &fakeT{TB: t, name: name}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			for i := len(f.cleanups) - 1; i >= 0; i-- {
				f.cleanups[i]()
			}
		}()
		connleaktest.Check(f, opts...)
		body(f)
	}()
	return func() string {
		<-done
		f.mu.Lock()
		defer f.mu.Unlock()
		return strings.Join(f.errs, "\n")
	}
}
