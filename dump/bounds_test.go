package dump

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

// deepText is a debug=2 goroutine of depth frames, main.f0 innermost,
// each at /src/x.go line i, created by main.start, with ancestors
// sections of depth frames each, main.a0 innermost.
func deepText(depth, ancestors int) string {
	var b strings.Builder
	b.WriteString("goroutine 1 [select]:\n")
	for i := range depth {
		fmt.Fprintf(&b, "main.f%d(0x1)\n\t/src/x.go:%d +0x1\n", i, i)
	}
	b.WriteString("created by main.start in goroutine 0\n\t/src/start.go:7 +0x1\n")
	for range ancestors {
		b.WriteString("[originating from goroutine 0]:\n")
		for i := range depth {
			fmt.Fprintf(&b, "main.a%d(...)\n\t/src/a.go:%d +0x1\n", i, i)
		}
	}
	return b.String()
}

// wantKept checks that frames are the ones a stack of depth frames named
// prefix0, prefix1... keeps: all of a short one, the innermost and the
// outermost of a deep one, each with its own line.
func wantKept(t *testing.T, what string, frames []Frame, prefix string, depth int) {
	t.Helper()
	var want []int
	for i := range depth {
		if i < MaxInnerFrames || i >= depth-MaxOuterFrames {
			want = append(want, i)
		}
	}
	if len(frames) != len(want) {
		t.Fatalf("%s: got %d frames, want %d", what, len(frames), len(want))
	}
	for k, i := range want {
		if f := frames[k]; f.Func != fmt.Sprintf("%s%d", prefix, i) || f.Line != i {
			t.Fatalf("%s: frame %d is %s at line %d, want %s%d at line %d", what, k, f.Func, f.Line, prefix, i, i)
		}
	}
}

// TestDeepStacks checks that Read keeps, of a deep stack, its innermost
// MaxInnerFrames and its outermost MaxOuterFrames frames in order, and of
// many ancestors' stacks the MaxAncestors nearest.
func TestDeepStacks(t *testing.T) {
	for _, tt := range []struct {
		depth, ancestors int
	}{
		{1, 1},
		{MaxInnerFrames + MaxOuterFrames, MaxAncestors},
		{MaxInnerFrames + MaxOuterFrames + 1, MaxAncestors + 1},
		{MaxInnerFrames + 2*MaxOuterFrames + 37, 3 * MaxAncestors},
		{100_000, 0},
	} {
		t.Run(fmt.Sprintf("depth %d, %d ancestors", tt.depth, tt.ancestors), func(t *testing.T) {
			gs, _ := readAll(t, deepText(tt.depth, tt.ancestors))
			g := gs[0]
			wantKept(t, "own stack", g.Frames, "main.f", tt.depth)
			if want := fmt.Sprintf("main.f%d", tt.depth-1); g.Entry() != want {
				t.Errorf("got Entry %s, want %s", g.Entry(), want)
			}
			if want := (Frame{Func: "main.start", File: "/src/start.go", Line: 7, Offset: 1}); g.CreatedBy != want {
				t.Errorf("got created by %+v, want %+v", g.CreatedBy, want)
			}
			if want := min(tt.ancestors, MaxAncestors); len(g.Ancestors) != want {
				t.Fatalf("got %d ancestors, want %d", len(g.Ancestors), want)
			}
			for i, a := range g.Ancestors {
				wantKept(t, fmt.Sprintf("ancestor %d", i), a, "main.a", tt.depth)
			}
		})
	}
}

// TestDeepSamples checks that a binary profile's sample keeps the frames a
// text stack would.
func TestDeepSamples(t *testing.T) {
	const depth = 1000
	p := testProfile{samples: []testSample{{count: 1}}}
	for i := range depth {
		p.funcs = append(p.funcs, fmt.Sprintf("main.f%d", i))
		p.samples[0].locs = append(p.samples[0].locs, uint64(i+1))
	}
	// Lines are 1-based in testProfile: name the frames from 1 too.
	gs, format := readAll(t, string(gzipped(p.encode(), gzip.BestCompression)))
	if format != Binary {
		t.Fatalf("got format %s, want %s", format, Binary)
	}
	frames := gs[0].Frames
	for i := range frames {
		frames[i].Line--
	}
	wantKept(t, "sample", frames, "main.f", depth)
}

// TestBinaryBounds checks that a binary profile of more than MaxRecords
// records, of any kind, is refused before it is built, and that one of a
// million goroutines grouped on ten thousand stacks is not.
func TestBinaryBounds(t *testing.T) {
	const n = MaxRecords + 1
	repeat := func(m pb) pb { return pb(bytes.Repeat(m, n)) }
	ones := make([]uint64, n)
	for i := range ones {
		ones[i] = 1
	}
	for _, tt := range []struct {
		name string
		data pb
	}{
		{"samples", repeat(pb{}.msg(fSample, nil))},
		{"packed location ids", pb{}.msg(fSample, pb{}.packed(fSampleLocation, ones...))},
		{"location ids", pb{}.msg(fSample, repeat(pb{}.uint(fSampleLocation, 1)))},
		{"packed values", pb{}.msg(fSample, pb{}.packed(fSampleValue, ones...))},
		{"labels", pb{}.msg(fSample, repeat(pb{}.msg(fSampleLabel, nil)))},
		{"locations", repeat(pb{}.msg(fLocation, pb{}.uint(fLocationID, 1)))},
		{"lines", pb{}.msg(fLocation, append(pb{}.uint(fLocationID, 1), repeat(pb{}.msg(fLocationLine, nil))...))},
		{"functions", repeat(pb{}.msg(fFunction, pb{}.uint(fFunctionID, 1)))},
		{"fields of a function", pb{}.msg(fFunction, append(pb{}.uint(fFunctionID, 1), repeat(pb{}.uint(fFunctionName, 1))...))},
		{"mappings", repeat(pb{}.msg(fMapping, nil))},
		{"strings", repeat(pb{}.str(fString, ""))},
		{"comments", pb{}.packed(13, ones...)},
		{"of every kind", pb(bytes.Repeat(pb{}.msg(fSample, pb{}.packed(fSampleLocation, 1)).msg(fMapping, nil).str(fString, ""), n/4+1))},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := readBinary(context.Background(), tt.data, func(*Goroutine) {})
			if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("more than MaxRecords, %d records", MaxRecords)) {
				t.Errorf("%d bytes: got %v, want them refused past MaxRecords", len(tt.data), err)
			}
		})
	}

	t.Run("a million goroutines", func(t *testing.T) {
		// 10,000 stacks of 40 frames among 2,000 functions, each with two
		// labels: a large real profile.
		p := testProfile{}
		for i := range 2000 {
			p.funcs = append(p.funcs, fmt.Sprintf("example.com/pkg.f%d", i))
		}
		for i := range 10_000 {
			s := testSample{count: 100, labels: []string{"role", "worker", "shard", fmt.Sprint(i % 16)}}
			for j := range 40 {
				s.locs = append(s.locs, uint64((i*7+j*13)%2000+1))
			}
			p.samples = append(p.samples, s)
		}
		total := 0
		_, err := Read(bytes.NewReader(gzipped(p.encode(), gzip.DefaultCompression)), func(g *Goroutine) { total += g.Count })
		if err != nil || total != 1_000_000 {
			t.Errorf("got %d goroutines, %v; want 1000000 and no error", total, err)
		}
	})
}

// TestCountBounds checks that a dump whose counts would overflow, a group
// or the whole dump past MaxGoroutines, a wait past MaxWait, is refused
// with an error that names the bound, and that one just within them reads.
func TestCountBounds(t *testing.T) {
	group := func(n int64) string { return fmt.Sprintf("%d @ 0x1\n#\t0x1\tmain.f+0x1\t/src/x.go:1\n\n", n) }
	waiting := func(minutes string) string {
		return "goroutine 1 [select, " + minutes + " minutes]:\nmain.f()\n\t/src/x.go:1 +0x1\n"
	}
	sample := func(counts ...int64) string {
		p := testProfile{funcs: []string{"main.f"}}
		for _, n := range counts {
			p.samples = append(p.samples, testSample{count: n, locs: []uint64{1}})
		}
		return string(gzipped(p.encode(), gzip.BestCompression))
	}
	const half = MaxGoroutines/2 + 1
	maxMinutes := fmt.Sprint(int64(MaxWait / time.Minute))
	for _, tt := range []struct {
		name, dump string
		want       string // what the error says; "" for none
	}{
		{"two groups of 2^63-1", group(math.MaxInt64) + group(math.MaxInt64), "line 1: a group of 9223372036854775807 goroutines: want at most MaxGoroutines"},
		{"a group past int64", "9223372036854775808 @ 0x1\n", "a group of 9223372036854775808 goroutines: want at most MaxGoroutines"},
		{"a group of MaxGoroutines+1", group(MaxGoroutines + 1), "want at most MaxGoroutines, 1073741824"},
		{"a group of MaxGoroutines", group(MaxGoroutines), ""},
		{"two groups past MaxGoroutines", group(half) + group(half), "line 6: more than MaxGoroutines, 1073741824 goroutines, in the dump"},
		{"a wait past a Duration", waiting("99999999999999999"), "line 1: a wait of 99999999999999999 minutes: want 0 to MaxWait"},
		{"a wait past int64", waiting("99999999999999999999"), "want 0 to MaxWait, 52560000 minutes"},
		{"a wait below zero", waiting("-5"), "want 0 to MaxWait"},
		{"a wait of MaxWait", waiting(maxMinutes), ""},
		{"a goleak wait past MaxWait", "[Goroutine 5 in state select, 99999999999999999 minutes, with main.f on top of the stack:\nmain.f()\n\t/x.go:3 +0x19\n]", "want 0 to MaxWait"},
		{"two samples of 2^63-1", sample(math.MaxInt64, math.MaxInt64), "a group of 9223372036854775807 goroutines: want at most MaxGoroutines"},
		{"samples past MaxGoroutines", sample(half, half), "more than MaxGoroutines, 1073741824 goroutines, in the dump"},
		{"a sample of MaxGoroutines", sample(MaxGoroutines), ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			total := 0
			var wait time.Duration
			_, err := Read(strings.NewReader(tt.dump), func(g *Goroutine) { total += g.Count; wait = max(wait, g.Wait) })
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("got %v, want no error", err)
			case tt.want == "" && (total < 1 || total > MaxGoroutines || wait < 0 || wait > MaxWait):
				t.Errorf("got %d goroutines and a wait of %v, want them within MaxGoroutines and MaxWait", total, wait)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %v (%d goroutines), want an error saying %q", err, total, tt.want)
			}
		})
	}
}

// TestMemoBounds checks that a memo keeps at most maxMemo values, by keys
// of at most maxMemoKey bytes, however many distinct keys a dump holds;
// that it hands out each value as made, kept or not; and that it hands
// out one kept again with no allocation, by a key held as bytes or as a
// string.
func TestMemoBounds(t *testing.T) {
	upper := func(s string) string { return strings.ToUpper(s) }
	for _, tt := range []struct {
		name string
		get  func(m *memo[string], key string) string
		want func(string) string
	}{
		{"bytes", func(m *memo[string], key string) string { return m.get([]byte(key), toString) }, func(s string) string { return s }},
		{"string", func(m *memo[string], key string) string { return m.getString(key, upper) }, upper},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var m memo[string]
			get := func(key string) {
				t.Helper()
				if got := tt.get(&m, key); got != tt.want(key) {
					t.Fatalf("got %q, want %q", got, tt.want(key))
				}
			}
			long := strings.Repeat("k", maxMemoKey+1)
			const known = "main.(*T).f"
			for _, key := range []string{long, known, known} {
				get(key)
			}
			if _, ok := m.values[long]; ok || len(m.values) != 1 {
				t.Errorf("%d values kept; want one, %s's: a key of %d bytes is too long", len(m.values), known, len(long))
			}
			for i := range 2 * maxMemo {
				get(fmt.Sprint("k", i))
			}
			if len(m.values) != maxMemo {
				t.Errorf("%d values kept, want maxMemo, %d", len(m.values), maxMemo)
			}
		})
	}

	var m memo[string]
	key := []byte("main.(*T).f")
	for _, again := range []struct {
		name string
		get  func()
	}{
		{"bytes", func() { m.get(key, toString) }},
		{"string", func() { m.getString("{caller: leaky}", upper) }},
	} {
		again.get()
		if allocs := testing.AllocsPerRun(100, again.get); allocs != 0 {
			t.Errorf("a value kept, by %s: %v allocations, want 0", again.name, allocs)
		}
	}
}
