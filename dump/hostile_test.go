package dump

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"github.com/connleak/connleak/internal/hostile"
	"github.com/google/pprof/profile"
	"google.golang.org/protobuf/encoding/protowire"
)

// pb is a protocol buffer message under construction, one field at a time.
type pb []byte

func (m pb) uint(num protowire.Number, v uint64) pb {
	m = protowire.AppendTag(m, num, protowire.VarintType)
	return protowire.AppendVarint(m, v)
}

func (m pb) bytes(num protowire.Number, v []byte) pb {
	m = protowire.AppendTag(m, num, protowire.BytesType)
	return protowire.AppendBytes(m, v)
}

func (m pb) msg(num protowire.Number, v pb) pb { return m.bytes(num, v) }

func (m pb) str(num protowire.Number, s string) pb { return m.bytes(num, []byte(s)) }

// packed appends vs as one packed repeated field.
func (m pb) packed(num protowire.Number, vs ...uint64) pb {
	var b []byte
	for _, v := range vs {
		b = protowire.AppendVarint(b, v)
	}
	return m.bytes(num, b)
}

// The field numbers of profile.proto this file writes.
const (
	fSampleType = 1
	fSample     = 2
	fMapping    = 3
	fLocation   = 4
	fFunction   = 5
	fString     = 6

	fValueTypeType = 1
	fValueTypeUnit = 2

	fSampleLocation = 1
	fSampleValue    = 2
	fSampleLabel    = 3

	fLabelKey = 1
	fLabelStr = 2

	fLocationID   = 1
	fLocationLine = 4

	fLineFunction = 1
	fLineLine     = 2

	fFunctionID       = 1
	fFunctionName     = 2
	fFunctionFilename = 4
)

// testSample is one sample of a testProfile: count goroutines on the stack
// of locations locs (1-based indexes into testProfile.funcs, innermost
// first), with labels as key, value pairs.
type testSample struct {
	count  int64
	locs   []uint64
	labels []string
}

// testProfile is a goroutine profile to encode: function i+1 is funcs[i],
// at /src/x.go line i+1, the one line of location i+1.
type testProfile struct {
	funcs   []string
	samples []testSample
}

// encode writes p as the profile package would, its string table last.
func (p testProfile) encode() pb {
	strs := []string{""}
	index := map[string]uint64{"": 0}
	str := func(s string) uint64 {
		if i, ok := index[s]; ok {
			return i
		}
		index[s] = uint64(len(strs))
		strs = append(strs, s)
		return index[s]
	}
	var m pb
	m = m.msg(fSampleType, pb{}.uint(fValueTypeType, str("goroutine")).uint(fValueTypeUnit, str("count")))
	for _, s := range p.samples {
		sm := pb{}.packed(fSampleLocation, s.locs...).packed(fSampleValue, uint64(s.count))
		for i := 0; i+1 < len(s.labels); i += 2 {
			sm = sm.msg(fSampleLabel, pb{}.uint(fLabelKey, str(s.labels[i])).uint(fLabelStr, str(s.labels[i+1])))
		}
		m = m.msg(fSample, sm)
	}
	for i, f := range p.funcs {
		id := uint64(i + 1)
		m = m.msg(fLocation, pb{}.uint(fLocationID, id).msg(fLocationLine, pb{}.uint(fLineFunction, id).uint(fLineLine, id)))
		m = m.msg(fFunction, pb{}.uint(fFunctionID, id).uint(fFunctionName, str(f)).uint(fFunctionFilename, str("/src/x.go")))
	}
	for _, s := range strs {
		m = m.str(fString, s)
	}
	return m
}

// gzipped compresses data at level, gzip.HuffmanOnly for a hostile input
// that must stay within the inflation bound.
func gzipped(data []byte, level int) []byte {
	var b bytes.Buffer
	w, err := gzip.NewWriterLevel(&b, level)
	if err != nil {
		panic(err)
	}
	w.Write(data)
	w.Close()
	return b.Bytes()
}

// hostileInput is an input made to take memory or time out of proportion
// to its size.
type hostileInput struct {
	name string
	make func() []byte
}

// hostileInputs are the hostile run's inputs, each built on demand.
var hostileInputs = []hostileInput{
	{"text-5M-frames", func() []byte {
		// One goroutine of 5M frames, in 10 MB of text.
		return []byte("goroutine 1 [running]:\n" + strings.Repeat("f\n", 5_000_000))
	}},
	{"text-distinct-names", func() []byte {
		// 20,000 frames of distinct functions and files, 40,000 names
		// (ten times maxMemo) of maxMemoKey bytes each, in 20 MB
		// of text.
		var b bytes.Buffer
		b.WriteString("goroutine 1 [running]:\n")
		pad := strings.Repeat("x", maxMemoKey-len("main.f000000"))
		for i := range 20_000 {
			fmt.Fprintf(&b, "main.f%06d%s()\n\t/%s%06d.go:1 +0x1\n", i, pad, pad[:len(pad)-len(".go")], i)
		}
		return b.Bytes()
	}},
	{"binary-15.5M-location-ids", func() []byte {
		// One sample of 15.5M location ids, packed.
		ids := make([]uint64, 15_500_000)
		for i := range ids {
			ids[i] = 1
		}
		p := testProfile{funcs: []string{"main.f"}, samples: []testSample{{count: 1, locs: ids}}}
		return gzipped(p.encode(), gzip.HuffmanOnly)
	}},
	{"binary-7.9M-mappings", func() []byte {
		// 7.9M empty mappings; the string table's "\xff" makes them no
		// text.
		m := pb{}.msg(fSampleType, pb{}).str(fString, "").str(fString, "\xff")
		m = append(m, bytes.Repeat(pb{}.msg(fMapping, nil), 7_900_000)...)
		return gzipped(m, gzip.HuffmanOnly)
	}},
	{"binary-99999-samples-150-frames", func() []byte {
		// 99,999 samples of 150 frames, of 120 functions (so that every
		// location id takes a byte).
		p := testProfile{}
		for i := range 120 {
			p.funcs = append(p.funcs, "main.f"+strings.Repeat("x", i))
		}
		stack := make([]uint64, 150)
		for i := range stack {
			stack[i] = uint64(i%120 + 1)
		}
		for range 99_999 {
			p.samples = append(p.samples, testSample{count: 1, locs: stack})
		}
		return gzipped(p.encode(), gzip.HuffmanOnly)
	}},
	{"binary-labels-at-MaxRecords", func() []byte {
		// The worst a profile within MaxRecords takes: labels, in one
		// sample.
		m := pb{}.msg(fSample, pb(bytes.Repeat(pb{}.msg(fSampleLabel, nil), MaxRecords-1)))
		return gzipped(m, gzip.HuffmanOnly)
	}},
}

// TestHostileCost reads each of package hostile's dumps, each the most of
// one kind of record the bounds let through in 64 KB, and checks what the
// read allocates: at most 48 MiB, besides the goroutines it hands out,
// however the dump is made. Before Read indexed profiles itself, with the
// profile package, it took 620 MB for the profile of a million labels,
// 2.6 GB (and 4 s) for the one of inlined calls, 187 MB for the one of
// 510,000 samples.
func TestHostileCost(t *testing.T) {
	for _, in := range hostile.Inputs() {
		t.Run(in.Name, func(t *testing.T) {
			data := in.Data
			if in.Binary {
				// Stored, not compressed: what the read costs is the same,
				// and the test is quicker under the race detector.
				data = gzipped(data, gzip.NoCompression)
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			n := 0
			_, err := Read(bytes.NewReader(data), func(*Goroutine) { n++ })
			runtime.ReadMemStats(&after)
			allocated := after.TotalAlloc - before.TotalAlloc
			if limit := 48<<20 + uint64(n)*uint64(unsafe.Sizeof(Goroutine{})); allocated > limit {
				t.Errorf("%d bytes allocated for %d goroutines (%v), want at most %d", allocated, n, err, limit)
			}
			t.Logf("%d goroutines, %.1f MB allocated: %v", n, float64(allocated)/1e6, err)
		})
	}
}

// BenchmarkHostile reads each hostile input, for its bytes allocated per
// read (-benchmem): in proportion to the input once it is read or refused.
// Run one at a time under /usr/bin/time -v for its peak memory.
func BenchmarkHostile(b *testing.B) {
	inputs := hostileInputs
	for _, in := range hostile.Inputs() {
		inputs = append(inputs, hostileInput{in.Name, in.Gzipped})
	}
	for _, in := range inputs {
		b.Run(in.name, func(b *testing.B) {
			data := in.make()
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				_, err := Read(bytes.NewReader(data), func(*Goroutine) {})
				b.Log(err)
			}
		})
	}
}

// malformedProfile is a gzipped binary profile that is not a valid one, and
// what Read's error must begin with.
type malformedProfile struct {
	name string
	data []byte
	want string
}

// malformedProfiles are profiles that break each rule the profile package
// checks, or none (counts of zero, of less than zero) while holding no
// goroutine. Their counts take two bytes, so that they are not text.
func malformedProfiles() []malformedProfile {
	one := testProfile{funcs: []string{"main.f"}, samples: []testSample{{count: 1000, locs: []uint64{1}}}}
	valid := one.encode()

	missingLocation := one
	missingLocation.samples = []testSample{{count: 1000, locs: []uint64{2}}}

	var missingFunction pb
	missingFunction = missingFunction.msg(fSampleType, pb{}.uint(fValueTypeType, 1).uint(fValueTypeUnit, 2)).
		msg(fSample, pb{}.packed(fSampleLocation, 1).packed(fSampleValue, 1000)).
		msg(fLocation, pb{}.uint(fLocationID, 1).msg(fLocationLine, pb{}.uint(fLineFunction, 9))).
		str(fString, "").str(fString, "goroutine").str(fString, "count")

	twoValues := pb{}.msg(fSampleType, pb{}.uint(fValueTypeType, 1).uint(fValueTypeUnit, 2)).
		msg(fSample, pb{}.packed(fSampleValue, 1000, 1000)).
		str(fString, "").str(fString, "goroutine").str(fString, "count")

	locationZero := pb{}.msg(fSampleType, pb{}.uint(fValueTypeType, 1).uint(fValueTypeUnit, 2)).
		msg(fSample, pb{}.packed(fSampleValue, 1000)).
		msg(fLocation, pb{}.uint(fLocationID, 0)).
		str(fString, "").str(fString, "goroutine").str(fString, "count")

	badString := pb{}.msg(fSampleType, pb{}.uint(fValueTypeType, 1000).uint(fValueTypeUnit, 2)).
		msg(fSample, pb{}.packed(fSampleValue, 1000)).
		str(fString, "")

	zero, negative := one, one
	zero.samples = []testSample{{count: 0, locs: []uint64{1}}}
	negative.samples = []testSample{{count: -1000, locs: []uint64{1}}}

	const bad = "not a pprof profile: "
	return []malformedProfile{
		{"missing location", gzipped(missingLocation.encode(), gzip.BestCompression), bad},
		{"missing function", gzipped(missingFunction, gzip.BestCompression), bad},
		{"two values for one type", gzipped(twoValues, gzip.BestCompression), bad},
		{"location id 0", gzipped(locationZero, gzip.BestCompression), bad},
		{"string index out of range", gzipped(badString, gzip.BestCompression), bad},
		{"truncated", gzipped(valid[:len(valid)/2], gzip.BestCompression), bad},
		{"bad varint", gzipped([]byte("\x0a\x02\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"), gzip.BestCompression), bad},
		{"gzip cut short", gzipped(valid, gzip.BestCompression)[:20], bad},
		{"zero goroutines", gzipped(zero.encode(), gzip.BestCompression), ErrNoGoroutines.Error()},
		{"negative goroutines", gzipped(negative.encode(), gzip.BestCompression), ErrNoGoroutines.Error()},
	}
}

// TestReadMalformedProfiles checks that a binary profile that is not valid
// is refused, and does not crash Read.
func TestReadMalformedProfiles(t *testing.T) {
	for _, tt := range malformedProfiles() {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(bytes.NewReader(tt.data), func(g *Goroutine) { t.Errorf("got goroutine %+v, want none", g) })
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("got error %v, want one beginning %q", err, tt.want)
			}
		})
	}
}

// TestReadTextLikeProfile checks that a binary profile whose bytes are all
// below 0x80, valid UTF-8, is read as the profile it is, and that a gzipped
// text dump that begins as a profile could (a newline, a length) is still
// read as text.
func TestReadTextLikeProfile(t *testing.T) {
	p := testProfile{
		funcs:   []string{"main.f", "main.g"},
		samples: []testSample{{count: 3, locs: []uint64{1, 2}}, {count: 4, locs: []uint64{2}, labels: []string{"k", "v"}}},
	}
	data := p.encode()
	if i := bytes.IndexFunc(data, func(r rune) bool { return r >= 0x80 }); i >= 0 {
		t.Fatalf("the profile has byte %#x at %d, want all below 0x80", data[i], i)
	}
	if _, err := profile.ParseData(data); err != nil {
		t.Fatalf("the profile package does not read it: %v", err)
	}
	var gs []*Goroutine
	format, err := Read(bytes.NewReader(gzipped(data, gzip.BestCompression)), func(g *Goroutine) { gs = append(gs, g) })
	if err != nil || format != Binary || len(gs) != 2 {
		t.Fatalf("got %s, %d goroutines, %v; want %s and 2", format, len(gs), err, Binary)
	}
	if g := gs[1]; g.Count != 4 || g.Entry() != "main.g" || g.Labels != `{"k":"v"}` {
		t.Errorf("got %+v, want 4 goroutines in main.g labelled k=v", g)
	}

	text := "\n" + stacks
	format, err = Read(bytes.NewReader(gzipped([]byte(text), gzip.BestCompression)), func(*Goroutine) {})
	if err != nil || format != Traceback {
		t.Errorf("a gzipped text dump after a blank line: got %s, %v; want %s", format, err, Traceback)
	}
}
