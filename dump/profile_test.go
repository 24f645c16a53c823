package dump

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/connleak/connleak/internal/hostile"
	"github.com/google/pprof/profile"
)

// viaProfilePackage reads a binary profile with the profile package, the
// way Read did before it read profiles itself: the goroutines Read must
// hand out.
func viaProfilePackage(t *testing.T, data []byte) []Goroutine {
	t.Helper()
	p, err := profile.Parse(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var gs []Goroutine
	var frames stack
	for _, s := range p.Sample {
		if s.Value[0] <= 0 {
			continue
		}
		l := map[string]string{}
		for k, v := range s.Label {
			l[k] = strings.Join(v, ",")
		}
		for _, loc := range s.Location {
			for _, line := range loc.Line {
				frames.push(Frame{Func: line.Function.Name, File: line.Function.Filename, Line: int(line.Line)})
			}
		}
		gs = append(gs, Goroutine{Count: int(s.Value[0]), Labels: formatLabels(l), Frames: frames.done()})
	}
	return gs
}

// readBinaryAll is every goroutine Read hands out of the binary profile data.
func readBinaryAll(t *testing.T, data []byte) []Goroutine {
	t.Helper()
	var gs []Goroutine
	format, err := Read(bytes.NewReader(data), func(g *Goroutine) { gs = append(gs, *g) })
	if err != nil || format != Binary {
		t.Fatalf("got %s, %v; want %s", format, err, Binary)
	}
	return gs
}

// deep calls itself depth times, then waits for stop: a stack deeper than
// Read keeps.
func deep(depth int, ready *sync.WaitGroup, stop chan struct{}) {
	if depth > 0 {
		deep(depth-1, ready, stop)
		return
	}
	ready.Done()
	<-stop
}

// TestReadProfilesAsProfilePackage reads each binary profile testdata/mkdump made, of
// go1.21.13 to go1.27.3, one of this process with labelled goroutines
// and stacks as deep as the runtime writes them, and one of inlined calls
// in stacks deeper than Read keeps, as the profile package reads them:
// the same goroutines, counts, labels and frames, in the same order.
func TestReadProfilesAsProfilePackage(t *testing.T) {
	files, err := filepath.Glob("../diagnose/testdata/dumps/*.debug0.pb.gz")
	if err != nil || len(files) < 4 {
		t.Fatalf("got %d profiles, %v; want one of each of mkdump's 4 versions", len(files), err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			got, want := readBinaryAll(t, data), viaProfilePackage(t, data)
			if len(got) < 10 || !reflect.DeepEqual(got, want) {
				t.Errorf("got %d goroutines, want the profile package's %d, equal:\n%v\n%v", len(got), len(want), got, want)
			}
		})
	}

	t.Run("this process", func(t *testing.T) {
		stop := make(chan struct{})
		var ready, done sync.WaitGroup
		for i, depth := range []int{10, 150, 500} {
			ready.Add(1)
			done.Go(func() {
				pprof.Do(context.Background(), pprof.Labels("depth", fmt.Sprint(depth), "i", fmt.Sprint(i)), func(context.Context) {
					deep(depth, &ready, stop)
				})
			})
		}
		ready.Wait()
		var b bytes.Buffer
		err := pprof.Lookup("goroutine").WriteTo(&b, 0)
		close(stop)
		done.Wait()
		if err != nil {
			t.Fatal(err)
		}
		got, want := readBinaryAll(t, b.Bytes()), viaProfilePackage(t, b.Bytes())
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %v,\nwant the profile package's %v", got, want)
		}
	})

	t.Run("inlined calls past the frames kept", func(t *testing.T) {
		// Locations of 1 to 4 lines (a call and the calls inlined in it),
		// in stacks of 1 to 150 locations, up to 375 frames: some cut in
		// their middle, some not, the cut falling inside locations.
		r := rand.New(rand.NewPCG(1, 2))
		var m pb
		m = m.msg(fSampleType, pb{}.uint(fValueTypeType, 1).uint(fValueTypeUnit, 2))
		for depth := 1; depth <= 150; depth++ {
			ids := make([]uint64, depth)
			for i := range ids {
				ids[i] = uint64(r.IntN(40) + 1)
			}
			m = m.msg(fSample, pb{}.packed(fSampleLocation, ids...).packed(fSampleValue, uint64(depth)))
		}
		for id := uint64(1); id <= 40; id++ {
			loc := pb{}.uint(fLocationID, id)
			for line := range uint64(r.IntN(4) + 1) {
				loc = loc.msg(fLocationLine, pb{}.uint(fLineFunction, (id+line)%40+1).uint(fLineLine, id*10+line))
			}
			m = m.msg(fLocation, loc)
			m = m.msg(fFunction, pb{}.uint(fFunctionID, id).uint(fFunctionName, id+2).uint(fFunctionFilename, 3))
		}
		m = m.str(fString, "").str(fString, "goroutine").str(fString, "count")
		for id := 1; id <= 40; id++ {
			m = m.str(fString, fmt.Sprintf("main.f%d", id))
		}
		data := gzipped(m, gzip.BestCompression)
		got, want := readBinaryAll(t, data), viaProfilePackage(t, data)
		if len(got) != 150 || len(want) != 150 {
			t.Fatalf("got %d goroutines, want 150 as the profile package's %d", len(got), len(want))
		}
		for i := range got {
			if !reflect.DeepEqual(got[i], want[i]) {
				for j := range got[i].Frames {
					if got[i].Frames[j] != want[i].Frames[j] {
						t.Errorf("goroutine %d, %d frames: frame %d is %v, want %v", i, len(got[i].Frames), j, got[i].Frames[j], want[i].Frames[j])
						break
					}
				}
			}
		}
		for _, g := range got {
			if len(g.Frames) > MaxInnerFrames+MaxOuterFrames {
				t.Errorf("%d frames, want at most %d", len(g.Frames), MaxInnerFrames+MaxOuterFrames)
			}
		}
	})
}

// TestReadProfileContext checks that a profile's read stops once its
// context ends: before it hands out a goroutine, or within stepsPerLook
// samples of the goroutine it was handing out, and within one sample
// that names its one location a million times.
func TestReadProfileContext(t *testing.T) {
	var b bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&b, 0); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	n := 0
	_, err := ReadContext(ctx, bytes.NewReader(b.Bytes()), func(*Goroutine) { n++ })
	if !errors.Is(err, context.Canceled) || n != 0 {
		t.Errorf("a context ended before: got %d goroutines, %v; want none and %v", n, err, context.Canceled)
	}

	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	n = 0
	_, err = ReadContext(ctx, bytes.NewReader(gzipped(hostile.Samples(), gzip.NoCompression)), func(*Goroutine) {
		if n++; n == 1000 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) || n > 1000+stepsPerLook {
		t.Errorf("a context ended at the 1000th of 510,000 goroutines: got %d, %v; want at most %d and %v", n, err, 1000+stepsPerLook, context.Canceled)
	}
}

// lookingCtx is a context that counts the looks at it.
type lookingCtx struct {
	context.Context
	looks atomic.Int64
}

func (c *lookingCtx) Err() error {
	c.looks.Add(1)
	return c.Context.Err()
}

// TestReadProfileContextInSample checks that a read looks at its context
// within a sample too, every stepsPerLook location ids: one sample that
// names its one location 900,000 times.
func TestReadProfileContextInSample(t *testing.T) {
	ids := make([]uint64, 900_000)
	for i := range ids {
		ids[i] = 1
	}
	p := testProfile{funcs: []string{"main.f"}, samples: []testSample{{count: 1, locs: ids}}}
	ctx := &lookingCtx{Context: context.Background()}
	n := 0
	_, err := ReadContext(ctx, bytes.NewReader(gzipped(p.encode(), gzip.HuffmanOnly)), func(*Goroutine) { n++ })
	if err != nil || n != 1 {
		t.Fatalf("got %d goroutines, %v; want 1", n, err)
	}
	if looks := ctx.looks.Load(); looks < int64(len(ids)/stepsPerLook) {
		t.Errorf("%d looks at the context, want at least one every %d location ids, %d", looks, stepsPerLook, len(ids)/stepsPerLook)
	}
}

// TestReadProfileSlots checks that a binary profile is read in one of the
// process's GOMAXPROCS slots, waiting for one within its context, and that
// gzipped profiles held past MaxHeld are refused at once.
func TestReadProfileSlots(t *testing.T) {
	var b bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&b, 0); err != nil {
		t.Fatal(err)
	}
	for range cap(decoders) {
		decoders <- struct{}{} // every slot taken
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	n := 0
	_, err := ReadContext(ctx, bytes.NewReader(b.Bytes()), func(*Goroutine) { n++ })
	for range cap(decoders) {
		<-decoders
	}
	if !errors.Is(err, context.DeadlineExceeded) || n != 0 {
		t.Errorf("every slot taken: got %d goroutines, %v; want none and %v", n, err, context.DeadlineExceeded)
	}
	if held.Load() != 0 {
		t.Errorf("%d bytes held after the read, want 0", held.Load())
	}

	held.Add(MaxHeld - chunkSize + 1) // as if other reads held all but a chunk
	_, err = Read(bytes.NewReader(b.Bytes()), func(*Goroutine) { n++ })
	held.Add(-(MaxHeld - chunkSize + 1))
	if err == nil || !strings.Contains(err.Error(), "(MaxHeld)") || n != 0 {
		t.Errorf("MaxHeld held already: got %d goroutines, %v; want none, and MaxHeld named", n, err)
	}
	if _, err := Read(bytes.NewReader(b.Bytes()), func(*Goroutine) { n++ }); err != nil || n == 0 || held.Load() != 0 {
		t.Errorf("then: got %d goroutines, %v, %d bytes held after; want goroutines, no error, none held", n, err, held.Load())
	}
}

// TestElidedLabels checks that a label set longer than maxLabelSet, as a
// dump writes it, is neither read nor kept, in each form that has labels,
// and that one just within it is.
func TestElidedLabels(t *testing.T) {
	set := func(n int) (string, []string) {
		var kv []string
		var b strings.Builder
		b.WriteString("{")
		for i := range n {
			if i > 0 {
				b.WriteString(", ")
			}
			k, v := fmt.Sprintf("k%05d", i), strings.Repeat("v", 20)
			fmt.Fprintf(&b, "%q:%q", k, v)
			kv = append(kv, k, v)
		}
		b.WriteString("}")
		return b.String(), kv
	}
	within, withinKV := set(maxLabelSet / 40) // each label "k00000":"vvv...", 32 bytes written
	past, pastKV := set(maxLabelSet/32 + 1)
	if len(within) > maxLabelSet || len(past) <= maxLabelSet {
		t.Fatalf("label sets of %d and %d bytes, want within and past %d", len(within), len(past), maxLabelSet)
	}
	for _, tt := range []struct {
		name, set string
		kv        []string
		want      string
	}{
		{"within", within, withinKV, within},
		{"past", past, pastKV, ElidedLabels},
	} {
		text := "1 @ 0x1\n# labels: " + tt.set + "\n#\t0x1\tmain.f+0x1\t/src/x.go:1\n"
		gs, _ := readAll(t, text)
		if len(gs) != 1 || gs[0].Labels != tt.want {
			t.Errorf("debug=1, %s: got %d goroutines, labels %.40q; want 1, labels of %d bytes", tt.name, len(gs), labelsOf(gs), len(tt.want))
		}
		p := testProfile{funcs: []string{"main.f"}, samples: []testSample{{count: 1, locs: []uint64{1}, labels: tt.kv}}}
		var bs []*Goroutine
		for _, g := range readBinaryAll(t, gzipped(p.encode(), gzip.BestCompression)) {
			bs = append(bs, &g)
		}
		if len(bs) != 1 || bs[0].Labels != tt.want {
			t.Errorf("debug=0, %s: got %d goroutines, labels %.40q; want 1, labels of %d bytes", tt.name, len(bs), labelsOf(bs), len(tt.want))
		}
	}
}

// labelsOf is the first goroutine's labels, "" if none.
func labelsOf(gs []*Goroutine) string {
	if len(gs) == 0 {
		return ""
	}
	return gs[0].Labels
}
