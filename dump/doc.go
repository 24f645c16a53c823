// Package dump reads goroutine dumps as Go programs write them: the text of
// runtime.Stack, of a crash or SIGQUIT traceback and of pprof's goroutine
// profile at debug=2 (one block per goroutine, with its state and wait
// time), pprof's goroutine profile at debug=1 (goroutines grouped by
// stack, with their labels) and at debug=0 (the gzipped protocol buffer
// `go tool pprof` saves), and the goroutines of goleak's message.
//
// Read takes the dump from an io.Reader and calls a function for each
// goroutine, or group of goroutines, as it is read:
//
//	format, err := dump.Read(f, func(g *dump.Goroutine) {
//		fmt.Println(g.Count, g.State, g.Entry())
//	})
//
// It reads a text dump as a stream, one goroutine at a time, and holds no
// more than one goroutine's stack, of at most MaxInnerFrames+MaxOuterFrames
// frames (and as many for each of MaxAncestors ancestors), and a few
// thousand at most of the function and file names, the file lines and the
// label sets it has read, so that the frames and goroutines that have them
// again share one copy: a dump of any size is read in bounded memory. A
// binary profile is read whole (at most MaxBinary), indexed where it lies,
// a few bytes a record, and its samples handed out one at a time; every
// kind of record counts against MaxRecords, and what a few records can ask
// for (the frames of inlined calls, label sets) against bounds of their
// own, so that no profile takes more than a few times its size, or time
// out of proportion to it. It classifies by function names and the shape
// of a stack, never by line numbers, which differ between Go versions.
//
// ReadContext stops when its context ends, whatever it is reading. In a
// process that reads many dumps at once (connleak exporter), binary
// profiles are decompressed and read at most GOMAXPROCS at a time, and
// those waiting hold at most MaxHeld bytes in all.
//
// ReadRuntime reads the calling process's own goroutines, with no dump in
// between (runtime.GoroutineProfile), at the same cost with pprof labels
// or without: what connleak's collector reads at each scrape.
//
// Package diagnose reads the same dumps for what their HTTP connections
// say.
package dump
