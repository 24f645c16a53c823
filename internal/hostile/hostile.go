// Package hostile makes goroutine profiles built to take memory or time out
// of proportion to their size, as a stranger's service could answer a
// probe: gzipped debug=0 profiles of about 64 KB that inflate about a
// hundred times, within package dump's bounds of size, inflation and
// records, each the most of one kind of record those bounds let through,
// and text dumps of the longest lines a dump may have. dump's tests read
// them for what they cost, and connleak bench has an exporter probe 64
// targets serving them at once.
package hostile

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"google.golang.org/protobuf/encoding/protowire"
)

// Input is one hostile dump.
type Input struct {
	Name string
	// Data is the dump, a debug=0 profile before it is gzipped.
	Data []byte
	// Binary says Data is a debug=0 profile, which is served gzipped:
	// Gzipped.
	Binary bool
}

// Gzipped is in.Data as it is served: gzipped at the best compression,
// for a binary profile, about 64 KB.
func (in Input) Gzipped() []byte {
	if !in.Binary {
		return in.Data
	}
	var b bytes.Buffer
	w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	w.Write(in.Data)
	w.Close()
	return b.Bytes()
}

// Inputs makes every hostile dump.
func Inputs() []Input {
	return []Input{
		{"labels", Labels(), true},
		{"functions", Functions(), true},
		{"samples", Samples(), true},
		{"frames", Frames(), true},
		{"strings", Strings(), true},
		{"label-sets", LabelSets(), true},
		{"location-ids", LocationIDs(), true},
		{"text-labels", TextLabels(), false},
	}
}

// pb is a protocol buffer message under construction.
type pb []byte

func (m pb) uint(num protowire.Number, v uint64) pb {
	return protowire.AppendVarint(protowire.AppendTag(m, num, protowire.VarintType), v)
}

func (m pb) msg(num protowire.Number, v []byte) pb {
	return protowire.AppendBytes(protowire.AppendTag(m, num, protowire.BytesType), v)
}

// The fields of profile.proto these profiles have.
const (
	fSampleType = 1
	fSample     = 2
	fLocation   = 4
	fFunction   = 5
	fString     = 6

	fSampleLocation = 1
	fSampleValue    = 2
	fSampleLabel    = 3
	fLabelKey       = 1
	fLabelStr       = 2
	fLocationID     = 1
	fLocationMap    = 2
	fLocationLine   = 4
	fLineFunction   = 1
	fLineLine       = 2
	fFunctionID     = 1
	fFunctionName   = 2
	fFunctionFile   = 4
)

// The string table every profile begins with, and its indexes.
const (
	sGoroutine = 1
	sCount     = 2
	sFunc      = 3
	sFile      = 4
	sKey       = 5
	sValues    = 6 // and the 99 after it: "v0" to "v99"
)

// header is a goroutine profile's sample type, one function (main.f, in
// /src/x.go) and a location of one line of it.
func header() pb {
	return pb{}.msg(fSampleType, pb{}.uint(1, sGoroutine).uint(2, sCount)).
		msg(fLocation, pb{}.uint(fLocationID, 1).msg(fLocationLine, pb{}.uint(fLineFunction, 1).uint(fLineLine, 10))).
		msg(fFunction, pb{}.uint(fFunctionID, 1).uint(fFunctionName, sFunc).uint(fFunctionFile, sFile))
}

// strs appends the string table, then more strings.
func strs(m pb, more ...string) pb {
	table := []string{"", "goroutine", "count", "main.f", "/src/x.go", "k"}
	for i := range 100 {
		table = append(table, fmt.Sprintf("v%d", i))
	}
	for _, s := range append(table, more...) {
		m = m.msg(fString, []byte(s))
	}
	return m
}

// noise is a source of the indexes a record takes: mostly the same one,
// now and then one of the 100 values, so that the profile compresses
// about a hundred times, as much as dump lets a profile inflate, rather
// than a thousand.
type noise struct {
	r    *rand.Rand
	rate float64
}

func newNoise(rate float64) noise { return noise{rand.New(rand.NewPCG(1, 2)), rate} }

// value is sValues, or now and then one of the 99 after it.
func (n noise) value() byte {
	if n.r.Float64() < n.rate {
		return sValues + byte(n.r.IntN(100))
	}
	return sValues
}

// repeat appends record n times to m, its last byte, a one-byte varint,
// taking the value of next each time.
func repeat(m pb, n int, record pb, next func() byte) pb {
	m = slices.Grow(m, n*len(record))
	for range n {
		m = append(m, record...)
		m[len(m)-1] = next()
	}
	return m
}

// Labels is one sample of 1,040,000 string labels: the label set of one
// group of goroutines, each label a key and a value.
func Labels() []byte {
	n := newNoise(0.0188)
	s := pb{}.uint(fSampleLocation, 1).uint(fSampleValue, 1)
	s = repeat(s, 1_040_000, pb{}.msg(fSampleLabel, pb{}.uint(fLabelKey, sKey).uint(fLabelStr, sValues)), n.value)
	return strs(header().msg(fSample, s))
}

// Functions is 1,040,000 functions, their ids all one.
func Functions() []byte {
	n := newNoise(0.0188)
	m := header().msg(fSample, pb{}.uint(fSampleLocation, 1).uint(fSampleValue, 1))
	m = repeat(m, 1_040_000, pb{}.msg(fFunction, pb{}.uint(fFunctionID, 2).uint(fFunctionName, sValues)), n.value)
	return strs(m)
}

// Samples is 510,000 samples of no stack, a group of 1 to 100 goroutines
// each.
func Samples() []byte {
	n := newNoise(0.0508)
	count := func() byte { return n.value() - sValues + 1 }
	return strs(repeat(header(), 510_000, pb{}.msg(fSample, pb{}.uint(fSampleValue, 1)), count))
}

// Frames is 300,000 samples, each of the one location of 1,000 lines:
// calls inlined in calls, each line a frame of its own.
func Frames() []byte {
	n := newNoise(0.0188)
	count := func() byte { return n.value() - sValues + 1 }
	line := pb{}.msg(fLocationLine, pb{}.uint(fLineFunction, 1).uint(fLineLine, 10))
	loc := repeat(pb{}.uint(fLocationID, 2), 1000, line, func() byte { return 10 })
	m := header().msg(fLocation, loc)
	return strs(repeat(m, 300_000, pb{}.msg(fSample, pb{}.uint(fSampleLocation, 2).uint(fSampleValue, 1)), count))
}

// Strings is 1,040,000 strings in the string table, of a byte each.
func Strings() []byte {
	n := newNoise(0.0188)
	m := strs(header().msg(fSample, pb{}.uint(fSampleLocation, 1).uint(fSampleValue, 1)))
	return repeat(m, 1_040_000, pb{}.msg(fString, []byte{'v'}), n.value)
}

// LabelSets is 10,000 samples whose label sets, each of 8 labels of
// 1 kB values, are all different.
func LabelSets() []byte {
	const keys, values = sValues + 100, sValues + 100 + 8 // their indexes in the string table
	n := newNoise(0.0188)
	m := header()
	for i := range 10_000 {
		s := pb{}.uint(fSampleLocation, 1).uint(fSampleValue, uint64(n.value()-sValues+1))
		for j := range 8 {
			s = s.msg(fSampleLabel, pb{}.uint(fLabelKey, uint64(keys+j)).uint(fLabelStr, uint64(values+(i>>(j*2)+j)%64)))
		}
		m = m.msg(fSample, s)
	}
	var more []string
	for j := range 8 {
		more = append(more, fmt.Sprintf("k%d", j))
	}
	for i := range 64 {
		more = append(more, fmt.Sprintf("%03d%s", i, strings.Repeat("v", 1000)))
	}
	return strs(m, more...)
}

// LocationIDs is one location of 500,000 fields besides its id (mapping
// ids), and one sample that names it, or now and then one of 100 other
// locations, 500,000 times.
func LocationIDs() []byte {
	n := newNoise(0.0188)
	const big = 2 // the big location's id; the others' are sValues and the 99 after it
	m := header().msg(fLocation, repeat(pb{}.uint(fLocationID, big), 500_000, pb{}.uint(fLocationMap, 1), n.value))
	for id := range uint64(100) {
		m = m.msg(fLocation, pb{}.uint(fLocationID, sValues+id))
	}
	next := func() byte {
		if v := n.value(); v != sValues {
			return v
		}
		return big
	}
	ids := repeat(nil, 500_000, pb{0}, next) // packed: a byte each
	return strs(m.msg(fSample, pb{}.msg(fSampleLocation, ids).uint(fSampleValue, 1)))
}

// TextLabels is a debug=1 text dump of 32 groups, each labelled with a
// set just under the longest line dump reads (1 MiB), of 20,000 labels:
// 32 MB as it is served, uncompressed.
func TextLabels() []byte {
	b := []byte("goroutine profile: total 32\n")
	value := strings.Repeat("v", 35)
	for i := range 32 {
		b = append(b, "1 @ 0x1\n# labels: {"...)
		for j := range 20_000 {
			if j > 0 {
				b = append(b, ", "...)
			}
			b = fmt.Appendf(b, `"k%05d":"%s%02d"`, j, value, i)
		}
		b = append(b, "}\n#\t0x1\tmain.f+0x1\t/src/x.go:10\n\n"...)
	}
	return b
}
