package connleaktest

import (
	"fmt"
	"io"
	"os"
)

// TestingM is what VerifyTestMain and Wrap take of a *testing.M.
type TestingM interface{ Run() int }

// VerifyTestMain runs the package's tests and, if they pass, judges the
// HTTP connections left after them, those of tests that called Check
// included, and the bodies Find fails for once, then exits: the
// whole TestMain of a package whose tests must not leak connections.
//
//	func TestMain(m *testing.M) {
//		connleaktest.VerifyTestMain(m)
//	}
func VerifyTestMain(m TestingM, opts ...Option) {
	os.Exit(Wrap(m, opts...).Run())
}

// Wrap returns m with its Run judging, after the tests, what
// VerifyTestMain judges: for goleak's VerifyTestMain, with GoleakOptions
// leaving the HTTP goroutines to connleaktest.
//
//	goleak.VerifyTestMain(connleaktest.Wrap(m), connleaktest.GoleakOptions()...)
func Wrap(m TestingM, opts ...Option) TestingM {
	return wrapped{m, opts, os.Stderr}
}

type wrapped struct {
	m      TestingM
	opts   []Option
	stderr io.Writer
}

func (w wrapped) Run() int {
	code := w.m.Run()
	if code != 0 {
		return code
	}
	c := newConfig(w.opts, true)
	err := c.err
	if err == nil {
		err = find(scope{who: "the tests"}, c)
	}
	if err != nil {
		fmt.Fprintln(w.stderr, err)
		return 1
	}
	return 0
}
