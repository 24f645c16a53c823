package dump

import (
	"errors"
	"runtime"
	"strconv"
	"sync"
)

// Runtime is the form ReadRuntime reads: this process's own goroutines, as
// runtime.GoroutineProfile records them, grouped by stack.
const Runtime Format = "runtime"

// records keeps the slice ReadRuntime records into between reads, so that
// a process read at every scrape does not make one of a few megabytes each
// time (264 bytes a goroutine). Each read takes as much of it as the
// goroutines there are now, not as many as there once were.
var records = sync.Pool{New: func() any { return new([]runtime.StackRecord) }}

// ErrDeepStacks is ReadRuntime's error where a goroutine's stack is deeper
// than the 32 calls runtime.GoroutineProfile keeps of it: the calls cut
// off are the outermost, the function it was started with among them,
// which tells a server connection's goroutine running a handler from
// another (Goroutine.Entry). A caller reads pprof's goroutine profile then,
// which keeps 128.
var ErrDeepStacks = errors.New("a goroutine's stack is deeper than runtime.GoroutineProfile's 32 calls")

// ReadRuntime reads this process's own goroutines, with no endpoint and no
// text in between: runtime.GoroutineProfile records them, which stops the
// world twice, briefly, as pprof's goroutine profile does, and each is
// called once per distinct stack, with its count, innermost call first,
// the runtime's frames included (as in debug=0). It costs the same with
// and without pprof labels, which it does not read: a caller that tells
// goroutines apart by their labels reads pprof's profile (connleaktest
// does). A goroutine has no State, Wait nor CreatedBy here. Where one
// stack fills the 32 calls a StackRecord keeps, it calls each for none and
// returns ErrDeepStacks.
func ReadRuntime(each func(*Goroutine)) (Format, error) {
	p := records.Get().(*[]runtime.StackRecord)
	defer records.Put(p)
	rs := *p
	for {
		// Room for the goroutines there are, and for those started while
		// the slice is made.
		want := runtime.NumGoroutine()
		want += want/8 + 16
		if cap(rs) < want {
			rs = make([]runtime.StackRecord, want)
		}
		n, ok := runtime.GoroutineProfile(rs[:want])
		if ok {
			*p = rs
			rs = rs[:n]
			break
		}
	}
	defer clear(rs) // the pool keeps no program counters of this read
	if len(rs) > MaxGoroutines {
		return Runtime, errGroup(strconv.Itoa(len(rs)))
	}
	counts := make(map[[32]uintptr]int)
	var order [][32]uintptr // the stacks in the order first seen
	for i := range rs {
		k := rs[i].Stack0
		if k[len(k)-1] != 0 {
			return Runtime, ErrDeepStacks
		}
		if counts[k] == 0 {
			order = append(order, k)
		}
		counts[k]++
	}
	for _, k := range order {
		each(&Goroutine{Count: counts[k], Frames: framesOf(k[:])})
	}
	return Runtime, nil
}

// framesOf is the stack of program counters pcs, zero-padded, as frames,
// with the calls inlined at each.
func framesOf(pcs []uintptr) []Frame {
	n := 0
	for n < len(pcs) && pcs[n] != 0 {
		n++
	}
	var fs []Frame
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if f.Function != "" {
			fs = append(fs, Frame{Func: f.Function, File: f.File, Line: f.Line})
		}
		if !more {
			return fs
		}
	}
}
