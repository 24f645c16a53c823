package dump

import (
	"runtime"
	"strconv"
	"sync"
)

// Runtime is the form ReadRuntime reads: this process's own goroutines, as
// runtime.GoroutineProfile records them, grouped by stack.
const Runtime Format = "runtime"

// records keeps the slice ReadRuntime records into between reads, so that
// a process read at every scrape does not make one of a few megabytes each
// time (264 bytes a goroutine).
var records = sync.Pool{New: func() any { return new([]runtime.StackRecord) }}

// ReadRuntime reads this process's own goroutines, with no endpoint and no
// text in between: runtime.GoroutineProfile records them, which stops the
// world once, as pprof's goroutine profile does, and each is called once
// per distinct stack, with its count, innermost call first, the runtime's
// frames included (as in debug=0). It costs the same with and without
// pprof labels, which it does not read: a caller that tells goroutines
// apart by their labels reads pprof's profile (connleaktest does). A
// goroutine has no State, Wait nor CreatedBy here, and a stack deeper than
// a StackRecord's 32 frames keeps its 32 innermost: what diagnose
// classifies by, the calls at the top of a stack, is among them.
func ReadRuntime(each func(*Goroutine)) (Format, error) {
	p := records.Get().(*[]runtime.StackRecord)
	defer records.Put(p)
	rs := *p
	for {
		n, ok := runtime.GoroutineProfile(rs)
		if ok {
			rs = rs[:n]
			break
		}
		// More goroutines than room: grow past them, for those started
		// while the slice is made.
		rs = make([]runtime.StackRecord, n+n/8+16)
	}
	*p = rs[:cap(rs)]
	if len(rs) > MaxGoroutines {
		return Runtime, errGroup(strconv.Itoa(len(rs)))
	}
	counts := make(map[[32]uintptr]int)
	var order [][32]uintptr // the stacks in the order first seen
	for i := range rs {
		k := rs[i].Stack0
		if counts[k] == 0 {
			order = append(order, k)
		}
		counts[k]++
	}
	clear(rs) // the pool keeps no program counters of this read
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
