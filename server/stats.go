package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"

	"github.com/connleak/connleak/diagnose"
	"github.com/connleak/connleak/dump"
)

// Stats is /stats's answer: where this process's goroutines are, and the
// connections that hold them.
type Stats struct {
	GoRoutines   int        `json:"goRoutines"`
	TopFunctions FuncCounts `json:"topFunctions"`
	// Diagnosis is what connleak diagnose names on this process's goroutine
	// profile: the ids of its findings, [] for none.
	Diagnosis []string    `json:"diagnosis"`
	Server    ServerStats `json:"server"`
	Client    ClientStats `json:"client"`
	Memory    MemoryStats `json:"memory"`
	PID       int         `json:"pid"` // this process
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

// profile is this process's goroutines by function, and their diagnosis.
type profile struct {
	funcs     FuncCounts
	diagnosis []string
}

// profile reads this process's goroutine profile. Callers that come while
// it is being read share the reading: a burst of /stats costs one goroutine
// profile, not one each.
func (s *Server) profile() profile {
	v, _, _ := s.profiles.Do("profile", func() (any, error) {
		funcs, rep := topFunctions(s.goroutineProfile())
		return profile{funcs, rep.FindingIDs()}, nil
	})
	return v.(profile)
}

func (s *Server) snapshot() Stats {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	prof := s.profile()
	return Stats{
		GoRoutines:   runtime.NumGoroutine(),
		TopFunctions: prof.funcs,
		Diagnosis:    prof.diagnosis,
		Server:       s.serverConns.stats(),
		Client:       s.clientConns.stats(),
		Memory:       MemoryStats{HeapInuseBytes: ms.HeapInuse, StackInuseBytes: ms.StackInuse},
		PID:          os.Getpid(),
	}
}

// goroutineProfile is the runtime's goroutine profile in pprof's debug=1
// form: goroutines grouped by stack, so its size and the cost of reading it
// grow with the number of distinct stacks, not of goroutines.
func goroutineProfile() *bytes.Buffer {
	var b bytes.Buffer
	pprof.Lookup("goroutine").WriteTo(&b, 1) // a bytes.Buffer does not fail
	return &b
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

// topFunctions groups the goroutines of a dump by the function each one was
// started with (dump.Goroutine.Entry), the most common first, leaving out
// those whose stacks name no function, and diagnoses them. A leaked client connection shows as
// net/http.(*persistConn).readLoop and writeLoop, a leaked server
// connection as net/http.(*conn).serve.
func topFunctions(r io.Reader) (FuncCounts, diagnose.Report) {
	counts := make(map[string]int)
	var d diagnose.Diagnosis
	format, _ := dump.Read(r, func(g *dump.Goroutine) { // an empty dump has no counts
		// A goroutine caught as it starts has no frame yet but
		// runtime.goexit, which the profile leaves out: no function to
		// count it under.
		if e := g.Entry(); e != "" {
			counts[e] += g.Count
		}
		d.Add(g)
	})
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
	return fc, d.Report(format)
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
