package dump

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"iter"
	"runtime"
	"slices"
	"sync/atomic"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
)

// Bounds of a binary profile, against inputs made to take memory or time
// out of proportion to their size: a goroutine profile groups goroutines
// by stack, so even a process of a million goroutines stays far below
// them.
const (
	// MaxBinary bounds a binary profile, compressed and not.
	MaxBinary = 16 << 20
	// maxInflation bounds how much larger a profile may be decompressed
	// than compressed: profiles compress about ten times.
	maxInflation = 100
	// MaxRecords bounds the records of a binary profile, of every kind
	// together: its samples and each sample's location ids, values and
	// labels, its locations and each location's fields and lines, its
	// functions and their fields, its mappings and strings, and any other
	// field. Read indexes a profile rather than build it, a few bytes a
	// record, and hands out one sample at a time. A goroutine profile
	// groups goroutines by stack and labels: a process of a million
	// goroutines on ten thousand stacks of forty frames has under half a
	// million.
	MaxRecords = 1 << 20
	// MaxHeld bounds the gzipped profiles Read holds at once in a process,
	// in all, read but not yet decompressed: a read that would pass it
	// fails at once rather than wait, so that a program reading many
	// profiles from many sources (the exporter) takes no more memory for
	// them however they are made.
	MaxHeld = 64 << 20
)

// held is the bytes of gzipped profiles read and not yet decompressed, in
// the whole process, against MaxHeld.
var held atomic.Int64

// decoders is a slot for each binary profile being decompressed and read
// in the process, GOMAXPROCS of them: each is work for a CPU, and holds
// up to MaxBinary of data while it runs, so that more at once would take
// more memory and be done no sooner.
var decoders = make(chan struct{}, runtime.GOMAXPROCS(0))

// readGzip reads a gzipped dump: pprof's binary goroutine profile (debug=0),
// or a text dump someone compressed. It reads it whole, within MaxHeld,
// then waits for one of the decoders' slots, or for ctx to end.
func readGzip(ctx context.Context, r io.Reader, each func(*Goroutine)) (Format, error) {
	var compressed chunks
	defer compressed.release()
	if err := compressed.readFrom(r); err != nil {
		return Binary, err
	}
	select {
	case decoders <- struct{}{}:
		defer func() { <-decoders }()
	case <-ctx.Done():
		return Binary, ctx.Err()
	}
	gz, err := gzip.NewReader(compressed.reader())
	if err != nil {
		return Binary, fmt.Errorf("not a pprof profile: %w", err)
	}
	limit := min(MaxBinary, maxInflation*compressed.size+64<<10)
	data, err := inflate(ctxReader{ctx, gz}, limit, compressed.isize())
	compressed.release() // decompressed: no longer held
	if err != nil {
		return Binary, fmt.Errorf("not a pprof profile: %w", err)
	}
	if len(data) > limit {
		return Binary, fmt.Errorf("a gzipped dump that inflates past %d bytes: not a goroutine dump", limit)
	}
	if !isProfile(data) && (utf8.Valid(data) || hasUTF16BOM(data)) {
		// A text dump, gzipped.
		return readText(ctx, bufio.NewReader(bytes.NewReader(data)), each)
	}
	// A profile, or what is no text either: readBinary says what is wrong
	// with it.
	return Binary, readBinary(ctx, data, each)
}

// inflate reads gz up to limit bytes and one more, into one buffer of the
// size gzip's trailer says, isize, where that is within limit.
func inflate(gz io.Reader, limit, isize int) ([]byte, error) {
	b := make([]byte, 0, min(limit, isize)+1)
	for len(b) <= limit {
		if len(b) == cap(b) {
			b = slices.Grow(b, min(len(b), limit+1-len(b)))
		}
		n, err := gz.Read(b[len(b):min(cap(b), limit+1)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
	return b, nil
}

// chunkSize is the size of each of the chunks a gzipped dump is read into.
const chunkSize = 64 << 10

// chunks is a gzipped dump, read whole, in chunks of chunkSize, each
// counted in held.
type chunks struct {
	list [][]byte
	size int // in all
}

// readFrom reads r whole, at most MaxBinary bytes, within MaxHeld.
func (c *chunks) readFrom(r io.Reader) error {
	for {
		if len(c.list) == 0 || len(c.list[len(c.list)-1]) == chunkSize {
			if held.Add(chunkSize) > MaxHeld {
				held.Add(-chunkSize)
				return fmt.Errorf("gzipped profiles of %d bytes in all are being read in this process already (MaxHeld): try again", MaxHeld)
			}
			c.list = append(c.list, make([]byte, 0, chunkSize))
		}
		last := &c.list[len(c.list)-1]
		n, err := r.Read((*last)[len(*last):chunkSize])
		*last = (*last)[:len(*last)+n]
		c.size += n
		switch {
		case c.size > MaxBinary:
			return fmt.Errorf("a gzipped dump larger than %d bytes: not a goroutine dump", MaxBinary)
		case err == io.EOF:
			return nil
		case err != nil:
			return err
		}
	}
}

// reader reads the chunks, end to end.
func (c *chunks) reader() io.Reader {
	rs := make([]io.Reader, len(c.list))
	for i, b := range c.list {
		rs[i] = bytes.NewReader(b)
	}
	return io.MultiReader(rs...)
}

// isize is what gzip's trailer says of the dump's size decompressed, mod
// 2^32: its last 4 bytes, little-endian.
func (c *chunks) isize() int {
	var tail []byte
	for i := len(c.list) - 1; i >= 0 && len(tail) < 4; i-- {
		tail = append(slices.Clone(c.list[i]), tail...)
	}
	if len(tail) < 4 {
		return 0
	}
	return int(binary.LittleEndian.Uint32(tail[len(tail)-4:]))
}

// release gives back what c held.
func (c *chunks) release() {
	held.Add(-int64(len(c.list)) * chunkSize)
	c.list = nil
}

// readBinary reads pprof's binary goroutine profile (debug=0), decompressed:
// each sample is a group of goroutines with one stack and one label set.
func readBinary(ctx context.Context, data []byte, each func(*Goroutine)) error {
	p, err := indexProfile(ctx, data)
	if err != nil {
		return err
	}
	return p.readSamples(ctx, each)
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

// countFields counts the fields of msg, and each value of those of its
// packed fields that are.
func countFields(msg []byte, packed ...protowire.Number) (int, error) {
	n := 0
	for f, err := range fields(msg) {
		if err != nil {
			return 0, err
		}
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

// fields is each field of msg, in order; one that does not read ends them,
// with its error.
func fields(msg []byte) iter.Seq2[field, error] {
	return func(yield func(field, error) bool) {
		for len(msg) > 0 {
			f, rest, err := nextField(msg)
			if !yield(f, err) || err != nil {
				return
			}
			msg = rest
		}
	}
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
