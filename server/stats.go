package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// Stats is /stats's answer: where this process's goroutines are, and the
// connections that hold them.
type Stats struct {
	GoRoutines   int         `json:"goRoutines"`
	TopFunctions FuncCounts  `json:"topFunctions"`
	Server       ServerStats `json:"server"`
	Client       ClientStats `json:"client"`
	Memory       MemoryStats `json:"memory"`
	PID          int         `json:"pid"` // this process
}

// MemoryStats is the "memory" object of /stats, from runtime.MemStats.
type MemoryStats struct {
	HeapInuseBytes  uint64 `json:"heapInuseBytes"`
	StackInuseBytes uint64 `json:"stackInuseBytes"`
}

// stats answers GET /stats.
func (s *Server) stats(w http.ResponseWriter, r *http.Request) {
	if !allowNoQuery(w, r, http.MethodGet) {
		return
	}
	writeJSON(w, http.StatusOK, s.snapshot())
}

func (s *Server) snapshot() Stats {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return Stats{
		GoRoutines:   runtime.NumGoroutine(),
		TopFunctions: topFunctions(allStacks()),
		Server:       s.serverConns.stats(),
		Client:       s.clientConns.stats(),
		Memory:       MemoryStats{HeapInuseBytes: ms.HeapInuse, StackInuseBytes: ms.StackInuse},
		PID:          os.Getpid(),
	}
}

// allStacks is runtime.Stack of every goroutine, in a buffer large enough.
func allStacks() []byte {
	buf := make([]byte, 64<<10)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return buf[:n]
		}
		buf = make([]byte, 2*len(buf))
	}
}

// FuncCount is how many goroutines run one function.
type FuncCount struct {
	Func  string
	Count int
}

// FuncCounts encode as one JSON object, the most common function first.
type FuncCounts []FuncCount

// MarshalJSON writes {"func":count,...} in the order of fc.
func (fc FuncCounts) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, c := range fc {
		if i > 0 {
			b.WriteByte(',')
		}
		name, err := json.Marshal(c.Func)
		if err != nil {
			return nil, err
		}
		b.Write(name)
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(c.Count))
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// topFunctions groups the goroutines of a runtime.Stack dump by the function
// each one was started with: the bottom frame of its stack that is not in the
// runtime (nor a compiler-made go statement wrapper), the line people read
// off a pprof goroutine dump. A leaked
// client connection shows as net/http.(*persistConn).readLoop and writeLoop,
// a leaked server connection as net/http.(*conn).serve, whatever they are
// blocked in at the top (the runtime, internal/poll, net, bufio).
func topFunctions(dump []byte) FuncCounts {
	counts := make(map[string]int)
	for block := range strings.SplitSeq(string(dump), "\n\n") {
		if f := entryFunc(block); f != "" {
			counts[f]++
		}
	}
	fc := make(FuncCounts, 0, len(counts))
	for f, n := range counts {
		fc = append(fc, FuncCount{f, n})
	}
	slices.SortFunc(fc, func(a, b FuncCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Func, b.Func)
	})
	return fc
}

// entryFunc is the function a goroutine's block of a stack dump was started
// with. Frames come in pairs, a function line and a tab-indented file line;
// "created by" ends them.
func entryFunc(block string) string {
	lines := strings.Split(strings.TrimSpace(block), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "goroutine ") {
		return ""
	}
	var first, entry string
	for _, l := range lines[1:] {
		if strings.HasPrefix(l, "created by ") {
			break
		}
		if strings.HasPrefix(l, "\t") || strings.HasPrefix(l, "...") {
			continue // a file line, or frames elided from the middle
		}
		f := l
		if i := strings.LastIndexByte(l, '('); i > 0 && strings.HasSuffix(l, ")") {
			f = l[:i] // drop the arguments
		}
		if first == "" {
			first = f
		}
		// Skip the runtime, and the wrappers the compiler makes for go f(x).
		if !strings.HasPrefix(f, "runtime.") && !strings.Contains(f, ".gowrap") {
			entry = f
		}
	}
	if entry == "" {
		return first
	}
	return entry
}

// UnmarshalJSON reads what MarshalJSON writes, keeping the order.
func (fc *FuncCounts) UnmarshalJSON(b []byte) error {
	d := json.NewDecoder(bytes.NewReader(b))
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("topFunctions: want a JSON object")
	}
	*fc = (*fc)[:0]
	for d.More() {
		t, err := d.Token()
		if err != nil {
			return err
		}
		var c FuncCount
		c.Func, _ = t.(string)
		if err := d.Decode(&c.Count); err != nil {
			return fmt.Errorf("topFunctions[%q]: %w", c.Func, err)
		}
		*fc = append(*fc, c)
	}
	return nil
}
