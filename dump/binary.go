package dump

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/google/pprof/profile"
	"google.golang.org/protobuf/encoding/protowire"
)

// Bounds of a binary profile, against inputs made to take memory out of
// proportion to their size: a goroutine profile groups goroutines by
// stack, so even a process of a million goroutines stays far below them.
const (
	// MaxBinary bounds a binary profile, compressed and not.
	MaxBinary = 16 << 20
	// maxInflation bounds how much larger a profile may be decompressed
	// than compressed: profiles compress about ten times.
	maxInflation = 100
	// maxRecords bounds a profile's samples and locations: the profile
	// package takes about a hundred bytes for each, however small it was
	// on the wire.
	maxRecords = 100_000
)

// readGzip reads a gzipped dump: pprof's binary goroutine profile (debug=0),
// or a text dump someone compressed.
func readGzip(r io.Reader, each func(*Goroutine)) (Format, error) {
	compressed, err := io.ReadAll(io.LimitReader(r, MaxBinary+1))
	if err != nil {
		return Binary, err
	}
	if len(compressed) > MaxBinary {
		return Binary, fmt.Errorf("a gzipped dump larger than %d bytes: not a goroutine dump", MaxBinary)
	}
	gz, err := gzip.NewReader(bytes.NewReader(compressed))
	if err != nil {
		return Binary, fmt.Errorf("not a pprof profile: %w", err)
	}
	limit := min(MaxBinary, maxInflation*len(compressed)+64<<10)
	data, err := io.ReadAll(io.LimitReader(gz, int64(limit)+1))
	if err != nil {
		return Binary, fmt.Errorf("not a pprof profile: %w", err)
	}
	if len(data) > limit {
		return Binary, fmt.Errorf("a gzipped dump that inflates past %d bytes: not a goroutine dump", limit)
	}
	if utf8.Valid(data) {
		return Read(bytes.NewReader(data), each) // a text dump, gzipped
	}
	return Binary, readBinary(data, each)
}

// readBinary reads pprof's binary goroutine profile (debug=0), decompressed:
// each sample is a group of goroutines with one stack and one label set.
func readBinary(data []byte, each func(*Goroutine)) error {
	if err := countRecords(data); err != nil {
		return err
	}
	p, err := profile.ParseUncompressed(data)
	if err == nil {
		err = p.CheckValid() // a sample's location, a line's function, that are not in the profile
	}
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
			if loc == nil {
				continue // CheckValid refuses them; a guard all the same
			}
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

// labels is a sample's label set in formatLabels' form.
func labels(l map[string][]string) string {
	m := make(map[string]string, len(l))
	for k, v := range l {
		m[k] = strings.Join(v, ",")
	}
	return formatLabels(m)
}

// countRecords walks the profile's top level on the wire and refuses more
// than maxRecords samples (field 2) or locations (field 4), before the
// profile package builds them.
func countRecords(data []byte) error {
	samples, locations := 0, 0
	for len(data) > 0 {
		num, typ, n := protowire.ConsumeTag(data)
		if n < 0 {
			return fmt.Errorf("not a pprof profile: %w", protowire.ParseError(n))
		}
		data = data[n:]
		switch num {
		case 2:
			samples++
		case 4:
			locations++
		}
		if samples > maxRecords || locations > maxRecords {
			return fmt.Errorf("a profile of more than %d samples or locations: not a goroutine profile", maxRecords)
		}
		m := protowire.ConsumeFieldValue(num, typ, data)
		if m < 0 {
			return fmt.Errorf("not a pprof profile: %w", protowire.ParseError(m))
		}
		data = data[m:]
	}
	return nil
}
