package diagnose

import (
	"strings"

	"github.com/connleak/connleak/dump"
)

// Site is where the goroutines of a finding were made: the first frame of
// user code (outside the standard library, golang.org/x/net and Resty) in
// the stacks of the goroutines that created them, and the pprof labels they
// carry. A dump shows either only where the program ran with
// GODEBUG=tracebackancestors=N (debug=2) or set labels with pprof.Do.
type Site struct {
	Function string `json:"function,omitempty"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	// Exact says that Line is the call's own, read from the program's
	// binary (Diagnosis.Binary). Where false, Line is the line the runtime
	// wrote, that of the address the call returns to: the call is on it
	// or just before it, or ends the body of the loop it begins
	// (dump.Goroutine.Ancestors).
	Exact  bool   `json:"exact"`
	Labels string `json:"labels,omitempty"`
	Count  int    `json:"count"`
}

// site is where g was made, if its dump says: with the binary b, if not
// nil, at the call's own line where b can say.
func site(g *dump.Goroutine, b *Binary) (Site, bool) {
	s := Site{Labels: g.Labels}
	for _, stack := range g.Ancestors {
		if i := userFrame(stack); i >= 0 {
			f := stack[i]
			s.Function, s.File, s.Line = f.Func, f.File, f.Line
			if line, ok := b.callLine(stack, i); ok {
				s.Line, s.Exact = line, true
			}
			break
		}
	}
	return s, s.Function != "" || s.Labels != ""
}

// userFrame is the innermost frame of stack that is the program's own
// code, and, where the stack has one, the innermost frame of a _test.go
// file, whatever its package: in a test, the line of the test (or its
// helper) that made the call, under a client wrapper of the module's own,
// and in a library's own tests, which the library list would skip.
// A test binary's generated main (_testmain.go) is no one's call site.
// It returns the frame's index in stack, or -1 for none.
func userFrame(stack []dump.Frame) int {
	for i, f := range stack {
		if strings.HasSuffix(f.File, "_test.go") {
			return i
		}
	}
	for i, f := range stack {
		if !isLibrary(f.Func) && !strings.HasSuffix(f.File, "_testmain.go") {
			return i
		}
	}
	return -1
}

// libraries are the module paths whose frames are never a user's call site:
// HTTP/2, Resty, the wrappers most often put around an http.Client, and
// connleaktest, whose TestMain wrapper starts a package's tests.
var libraries = []string{
	"golang.org/x/net/", "github.com/go-resty/resty/", "resty.dev/",
	"go.opentelemetry.io/contrib/instrumentation/net/http/", "github.com/hashicorp/go-retryablehttp/",
	"github.com/connleak/connleak/connleaktest/",
}

// std are the first elements of the standard library's package paths.
var std = map[string]bool{
	"archive": true, "bufio": true, "bytes": true, "cmp": true, "compress": true, "container": true,
	"context": true, "crypto": true, "database": true, "debug": true, "embed": true, "encoding": true,
	"errors": true, "expvar": true, "flag": true, "fmt": true, "go": true, "hash": true, "html": true,
	"image": true, "index": true, "internal": true, "io": true, "iter": true, "log": true, "maps": true,
	"math": true, "mime": true, "net": true, "os": true, "path": true, "plugin": true, "reflect": true,
	"regexp": true, "runtime": true, "slices": true, "sort": true, "strconv": true, "strings": true,
	"structs": true, "sync": true, "syscall": true, "testing": true, "text": true, "time": true,
	"unicode": true, "unique": true, "unsafe": true, "weak": true, "vendor": true,
}

// isLibrary reports whether fn belongs to the standard library, net/http's
// HTTP/2 included, golang.org/x/net or Resty.
func isLibrary(fn string) bool {
	pkg := packagePath(fn)
	for _, l := range libraries {
		// pkg+"/" begins with l, which ends in "/", with no string made.
		if strings.HasPrefix(pkg, l) || pkg == l[:len(l)-1] {
			return true
		}
	}
	first, _, _ := strings.Cut(pkg, "/")
	return std[first]
}

// packagePath is the import path of the package of fn, such as net/http for
// net/http.(*Transport).getConn and github.com/go-resty/resty/v2 for
// github.com/go-resty/resty/v2.(*Client).execute.
func packagePath(fn string) string {
	if i := strings.IndexByte(fn, '['); i >= 0 {
		fn = fn[:i] // type arguments may hold slashes and dots
	}
	slash := strings.LastIndexByte(fn, '/')
	if dot := strings.IndexByte(fn[slash+1:], '.'); dot >= 0 {
		return fn[:slash+1+dot]
	}
	return fn
}
