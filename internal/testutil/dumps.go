package testutil

import (
	"bytes"
	"os"
	"regexp"
	"strconv"
	"testing"
)

// goroutineID is where a text dump names a goroutine: its header
// ("goroutine 7 [IO wait]:"), a created by ("in goroutine 1") and an
// ancestor's stack ("[originating from goroutine 1]:").
var goroutineID = regexp.MustCompile(`goroutine (\d+)`)

// LargeDump is the text dump (debug=2 or a traceback) at path with its
// goroutines repeated, in their order, until it holds n: each repetition
// has fresh IDs, every ID of the copy moved past the highest of the dump,
// so that a dump of a few hundred goroutines reads as one of a process of
// n. What comes before the first goroutine (a panic line) is kept once, at
// the start, and what follows the last (a shell's "exit status 2") once,
// at the end. The goroutines must be separated by blank lines, as Go
// writes them.
func LargeDump(tb testing.TB, path string, n int) []byte {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	start := bytes.Index(data, []byte("goroutine "))
	// The last goroutine ends with its last file line, a tab's.
	end := bytes.LastIndex(data, []byte("\n\t"))
	if start < 0 || end < start {
		tb.Fatalf("%s: no goroutine found", path)
	}
	if i := bytes.IndexByte(data[end+1:], '\n'); i >= 0 {
		end += 1 + i
	} else {
		end = len(data)
	}
	head, tail := data[:start], bytes.TrimLeft(data[end:], "\n")
	blocks := bytes.Split(bytes.TrimRight(data[start:end], "\n"), []byte("\n\n"))
	stride := 0
	for _, m := range goroutineID.FindAllSubmatch(data, -1) {
		id, _ := strconv.Atoi(string(m[1]))
		stride = max(stride, id+1)
	}

	var b bytes.Buffer
	b.Write(head)
	for i := range n {
		block, copyN := blocks[i%len(blocks)], i/len(blocks)
		if copyN > 0 {
			block = goroutineID.ReplaceAllFunc(block, func(m []byte) []byte {
				id, _ := strconv.Atoi(string(m[len("goroutine "):]))
				return strconv.AppendInt([]byte("goroutine "), int64(id+copyN*stride), 10)
			})
		}
		b.Write(block)
		b.WriteString("\n\n")
	}
	b.Write(tail)
	return b.Bytes()
}
