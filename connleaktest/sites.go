package connleaktest

import (
	"fmt"
	"os"
	"sync"

	"github.com/connleak/connleak/diagnose"
)

// executable is this process's binary (the test binary), read once, when a
// check first names where connections were made: a dump writes the line
// each call returns to, the binary names the call's own. It is nil where
// the binary cannot be read; the check then names the lines the dump
// writes, at or just before their calls.
var executable = sync.OnceValue(func() *diagnose.Binary {
	exe, err := os.Executable()
	if err != nil {
		return nil
	}
	b, err := diagnose.OpenBinary(exe)
	if err != nil {
		return nil
	}
	return b
})

// madeAt is a site of a failure in words: its file and line, or where the
// binary could not name the call's own line, the line the dump writes, at
// or just before which the call is.
func madeAt(s diagnose.Site) string {
	if s.Exact {
		return fmt.Sprintf("made at %s:%d (%s): %d", s.File, s.Line, s.Function, s.Count)
	}
	return fmt.Sprintf("made at %s, at or just before line %d (%s): %d", s.File, s.Line, s.Function, s.Count)
}
