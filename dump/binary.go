package dump

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/google/pprof/profile"
)

// MaxBinary bounds the binary profile Read accepts, compressed and not. A
// goroutine profile groups goroutines by stack, so even a process of a
// million goroutines writes far less.
const MaxBinary = 64 << 20

// maxInflation bounds how much larger a binary profile may be once
// decompressed than it was compressed: profiles compress about ten times,
// and a gzip bomb must not take memory out of proportion to its size.
const maxInflation = 100

// readBinary reads pprof's binary goroutine profile (debug=0): each sample
// is a group of goroutines with one stack and one label set.
func readBinary(r io.Reader, each func(*Goroutine)) error {
	compressed, err := io.ReadAll(io.LimitReader(r, MaxBinary+1))
	if err != nil {
		return err
	}
	if len(compressed) > MaxBinary {
		return fmt.Errorf("a binary profile larger than %d bytes: not a goroutine profile", MaxBinary)
	}
	gz, err := gzip.NewReader(bytes.NewReader(compressed))
	if err != nil {
		return fmt.Errorf("not a pprof profile: %w", err)
	}
	limit := min(MaxBinary, maxInflation*len(compressed)+64<<10)
	data, err := io.ReadAll(io.LimitReader(gz, int64(limit)+1))
	if err != nil {
		return fmt.Errorf("not a pprof profile: %w", err)
	}
	if len(data) > limit {
		return fmt.Errorf("a binary profile that inflates past %d bytes: not a goroutine profile", limit)
	}
	p, err := profile.ParseUncompressed(data)
	if err != nil {
		return fmt.Errorf("not a pprof profile: %w", err)
	}
	if len(p.SampleType) == 0 || p.SampleType[0].Type != "goroutine" {
		var types []string
		for _, st := range p.SampleType {
			types = append(types, st.Type)
		}
		return fmt.Errorf("a %s profile, not a goroutine profile", strings.Join(types, ", "))
	}
	found := false
	for _, s := range p.Sample {
		if len(s.Value) == 0 || s.Value[0] <= 0 {
			continue
		}
		g := &Goroutine{Count: int(s.Value[0]), Labels: labels(s.Label)}
		for _, loc := range s.Location { // the leaf first
			for _, l := range loc.Line { // inlined calls first, their caller last
				if l.Function != nil {
					g.Frames = append(g.Frames, Frame{Func: l.Function.Name, File: l.Function.Filename, Line: int(l.Line)})
				}
			}
		}
		each(g)
		found = true
	}
	if !found {
		return ErrNoGoroutines
	}
	return nil
}

// labels writes a sample's labels as pprof's debug=1 does: {"k":"v", ...}.
func labels(l map[string][]string) string {
	if len(l) == 0 {
		return ""
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(l)) {
		kb, _ := json.Marshal(k)
		vb, _ := json.Marshal(strings.Join(l[k], ","))
		parts = append(parts, string(kb)+":"+string(vb))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
