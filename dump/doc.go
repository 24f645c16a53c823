// Package dump reads goroutine dumps as Go programs write them: the text of
// runtime.Stack, of a crash or SIGQUIT traceback and of pprof's goroutine
// profile at debug=2 (one block per goroutine, with its state and wait
// time), and pprof's goroutine profile at debug=1 (goroutines grouped by
// stack, with their labels).
//
// It reads a stream, one goroutine at a time, and holds no more than one
// goroutine's stack, of at most MaxInnerFrames+MaxOuterFrames frames
// (and as many for each of MaxAncestors ancestors): a dump of any size is
// read in bounded memory. It classifies by function names and the shape of a
// stack, never by line numbers, which differ between Go versions.
package dump
