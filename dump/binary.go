package dump

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"slices"
	"strconv"
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
	// MaxRecords bounds the records of a binary profile, of every kind
	// together: its samples and each sample's location ids, values and
	// labels, its locations and each location's lines, its functions,
	// mappings and strings, and any other field. The profile package
	// takes a hundred bytes or more for each however small it was on the
	// wire, some hundreds for a label. A goroutine profile groups
	// goroutines by stack and labels: a process of a million goroutines on
	// ten thousand stacks of forty frames has under half a million.
	MaxRecords = 1 << 20
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
	if !isProfile(data) && (utf8.Valid(data) || hasUTF16BOM(data)) {
		// A text dump, gzipped.
		return readText(bufio.NewReader(bytes.NewReader(data)), each)
	}
	// A profile, or what is no text either: readBinary says what is wrong
	// with it.
	return Binary, readBinary(data, each)
}

// isProfile reports whether data is laid out as a profile: the fields of
// profile.proto's top level end to end, each of its wire type, with a
// sample_type among them. Text is not, even where its bytes would be
// valid UTF-8.
func isProfile(data []byte) bool {
	sampleType := false
	for len(data) > 0 {
		f, rest, err := nextField(data)
		if err != nil {
			return false
		}
		switch f.num {
		case fieldSampleType, fieldSample, fieldMapping, fieldLocation, fieldFunction, fieldString, fieldPeriodType:
			if f.typ != protowire.BytesType {
				return false
			}
		case fieldDropFrames, fieldKeepFrames, fieldTimeNanos, fieldDurationNanos, fieldPeriod, fieldDefaultSampleType, fieldDocURL:
			if f.typ != protowire.VarintType {
				return false
			}
		case fieldComment: // packed or not
			if f.typ != protowire.BytesType && f.typ != protowire.VarintType {
				return false
			}
		}
		sampleType = sampleType || f.num == fieldSampleType
		data = rest
	}
	return sampleType
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
	var count counter
	var frames stack // kept from sample to sample
	for _, s := range p.Sample {
		if len(s.Value) == 0 || s.Value[0] <= 0 {
			continue
		}
		if s.Value[0] > MaxGoroutines {
			return errGroup(strconv.FormatInt(s.Value[0], 10))
		}
		if err := count.add(int(s.Value[0])); err != nil {
			return err
		}
		g := &Goroutine{Count: int(s.Value[0]), Labels: labels(s.Label)}
		for _, loc := range s.Location { // the leaf first
			if loc == nil {
				continue // CheckValid refuses them; a guard all the same
			}
			for _, l := range loc.Line { // inlined calls first, their caller last
				if l.Function != nil {
					frames.push(Frame{Func: l.Function.Name, File: l.Function.Filename, Line: int(l.Line)})
				}
			}
		}
		g.Frames = frames.done()
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

// The fields of profile.proto, at its top level and in a Sample, that
// isProfile and countRecords look at.
const (
	fieldSampleType        = 1 // a message
	fieldSample            = 2 // a message
	fieldMapping           = 3 // a message
	fieldLocation          = 4 // a message
	fieldFunction          = 5 // a message
	fieldString            = 6 // a string
	fieldDropFrames        = 7
	fieldKeepFrames        = 8
	fieldTimeNanos         = 9
	fieldDurationNanos     = 10
	fieldPeriodType        = 11 // a message
	fieldPeriod            = 12
	fieldComment           = 13 // packed or not
	fieldDefaultSampleType = 14
	fieldDocURL            = 15

	fieldSampleLocation = 1 // Sample.location_id, packed or not
	fieldSampleValue    = 2 // Sample.value, packed or not
)

// countRecords walks the profile on the wire and refuses more than
// MaxRecords records, before the profile package builds them: a field of
// the profile is one, and so is each value of a packed field, each field
// of a sample (a location id, a value, a label) and each field of a
// location (a line).
func countRecords(data []byte) error {
	records := 0
	for len(data) > 0 {
		f, rest, err := nextField(data)
		if err != nil {
			return err
		}
		data = rest
		records++
		switch {
		case f.typ != protowire.BytesType:
		case f.num == fieldSample:
			n, err := countFields(f.value, fieldSampleLocation, fieldSampleValue)
			if err != nil {
				return err
			}
			records += n
		case f.num == fieldLocation:
			n, err := countFields(f.value)
			if err != nil {
				return err
			}
			records += n
		case f.num == fieldComment:
			records += countVarints(f.value)
		}
		if records > MaxRecords {
			return fmt.Errorf("a profile of more than MaxRecords, %d records (samples and their location ids, values and labels, locations and their lines, functions, mappings, strings): not a goroutine profile", MaxRecords)
		}
	}
	return nil
}

// countFields counts the fields of msg, and each value of those of its
// packed fields that are.
func countFields(msg []byte, packed ...protowire.Number) (int, error) {
	n := 0
	for len(msg) > 0 {
		f, rest, err := nextField(msg)
		if err != nil {
			return 0, err
		}
		msg = rest
		if f.typ == protowire.BytesType && slices.Contains(packed, f.num) {
			n += countVarints(f.value)
		} else {
			n++
		}
	}
	return n, nil
}

// countVarints counts the varints of a packed field: each ends with a byte
// below 0x80.
func countVarints(b []byte) int {
	n := 0
	for _, c := range b {
		if c < 0x80 {
			n++
		}
	}
	return n
}

// field is one field of a protocol buffer message on the wire.
type field struct {
	num   protowire.Number
	typ   protowire.Type
	value []byte // a length-delimited field's content, or the value as written
}

// nextField reads the field msg begins with, and returns it and the rest
// of msg.
func nextField(msg []byte) (field, []byte, error) {
	num, typ, n := protowire.ConsumeTag(msg)
	if n < 0 {
		return field{}, nil, fmt.Errorf("not a pprof profile: %w", protowire.ParseError(n))
	}
	msg = msg[n:]
	m := protowire.ConsumeFieldValue(num, typ, msg)
	if m < 0 {
		return field{}, nil, fmt.Errorf("not a pprof profile: %w", protowire.ParseError(m))
	}
	f := field{num: num, typ: typ, value: msg[:m]}
	if typ == protowire.BytesType {
		f.value, _ = protowire.ConsumeBytes(msg)
	}
	return f, msg[m:], nil
}
