package dump

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"

	"google.golang.org/protobuf/encoding/protowire"
)

// The fields of profile.proto that the reader looks at, at its top level
// and in its messages.
const (
	fieldSampleType        = 1 // Profile.sample_type, a ValueType
	fieldSample            = 2 // Profile.sample, a Sample
	fieldMapping           = 3 // Profile.mapping, a Mapping
	fieldLocation          = 4 // Profile.location, a Location
	fieldFunction          = 5 // Profile.function, a Function
	fieldString            = 6 // Profile.string_table, a string
	fieldDropFrames        = 7
	fieldKeepFrames        = 8
	fieldTimeNanos         = 9
	fieldDurationNanos     = 10
	fieldPeriodType        = 11 // a ValueType
	fieldPeriod            = 12
	fieldComment           = 13 // packed or not
	fieldDefaultSampleType = 14
	fieldDocURL            = 15

	fieldValueTypeType = 1 // ValueType.type, a string index

	fieldSampleLocation = 1 // Sample.location_id, packed or not
	fieldSampleValue    = 2 // Sample.value, packed or not
	fieldSampleLabel    = 3 // Sample.label, a Label

	fieldLabelKey = 1 // Label.key, a string index
	fieldLabelStr = 2 // Label.str, a string index

	fieldLocationID   = 1 // Location.id
	fieldLocationLine = 4 // Location.line, a Line

	fieldLineFunction = 1 // Line.function_id
	fieldLineLine     = 2 // Line.line

	fieldFunctionID       = 1 // Function.id
	fieldFunctionName     = 2 // Function.name, a string index
	fieldFunctionFilename = 4 // Function.filename, a string index
)

// maxSteps bounds the work of reading a binary profile's samples, in
// steps: a sample, a location id of a sample, a frame of a location read.
// A location holds its inlined calls, and many samples can name one of
// many, so that a small profile could ask for a great many frames. A real
// profile's samples have a frame or two for each location id they list,
// each a record, so one within MaxRecords stays below it.
const maxSteps = 4 * MaxRecords

// maxLabelBytes bounds the bytes of the distinct label sets a binary
// profile's samples hand out, in all, for the same reason: a sample's
// labels are a few indexes into the string table, its label set the
// strings themselves. A process whose every goroutine carries a label set
// of its own, 100,000 of 100 bytes, has 10 MB.
const maxLabelBytes = 16 << 20

// span is where a string or a message is in a profile's data.
type span struct{ off, n uint32 }

// function is one Function of a profile: its name and file, indexes into
// the string table.
type function struct {
	id         uint64
	name, file uint32
}

// location is one Location of a profile: its lines that name a function,
// lines[first:first+n] of the profile's.
type location struct {
	id       uint64
	first, n uint32
}

// line is one Line of a location: its function, by id as the profile has
// it until check makes it an index into the profile's functions, and its
// line number.
type line struct {
	fn   uint64
	line uint32
}

// binaryProfile is a binary goroutine profile, profile.proto decompressed,
// indexed to read its samples one at a time: its string table, functions
// and locations by where they are in data, a few bytes each, rather than
// built as objects. However a profile is made, it takes a few times its
// size at most, and the time it takes to read grows with its size alone.
type binaryProfile struct {
	data  []byte
	strs  []span
	funcs []function // sorted by id
	locs  []location // sorted by id
	lines []line     // the locations', each location's in turn
	// types is how many sample types the profile has, and typeName the
	// first one's type, which must be "goroutine".
	types    int
	typeName uint64
	samples  bool // it has one sample at least

	made   map[uint32]string // the strings of strs made so far, by index
	labels memo[string]      // the label sets made so far, by their indexes
	// labelBytes is the bytes of the label sets made so far, against
	// maxLabelBytes.
	labelBytes int
	// steps is the work of reading the samples so far, against maxSteps,
	// and ctx what ends it.
	steps int
	ctx   context.Context

	// Of the sample being read, kept from sample to sample:
	frames    stack       // its frames
	ids       []int       // its locations, as indexes into locs
	pairs     []labelPair // its labels
	labelSize int         // the bytes of its label set so far, as written out, against maxLabelSet
	key       []byte      // its labels' indexes, as the key of labels
	set       []label     // its label set
	buf       []byte      // its label set, written out
}

// labelPair is one string label of a sample, as indexes into the string
// table.
type labelPair struct{ key, str uint64 }

// errProfile is the error for a profile that breaks profile.proto's rules.
func errProfile(format string, args ...any) error {
	return fmt.Errorf("not a pprof profile: "+format, args...)
}

// indexProfile indexes data, refusing more than MaxRecords records of any
// kind (see countRecords) and any reference to what the profile does not
// hold.
func indexProfile(ctx context.Context, data []byte) (*binaryProfile, error) {
	if len(data) > math.MaxUint32 {
		return nil, errProfile("%d bytes", len(data))
	}
	p := &binaryProfile{data: data}
	if err := p.allocate(); err != nil {
		return nil, err
	}
	records := 0
	for fields, rest := 0, data; len(rest) > 0; fields++ {
		f, next, err := nextField(rest)
		if err != nil {
			return nil, err
		}
		records++
		if fields%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		at := span{uint32(len(data) - len(next) - len(f.value)), uint32(len(f.value))}
		rest = next
		n, err := p.index(f, at)
		if err != nil {
			return nil, err
		}
		if records += n; records > MaxRecords {
			return nil, errRecords
		}
	}
	if err := p.check(); err != nil {
		return nil, err
	}
	return p, nil
}

// allocate makes the index's tables of the size the profile's fields ask
// for, once it has counted them, rather than grow them as it reads.
func (p *binaryProfile) allocate() error {
	var strs, funcs, locs, records int
	for rest := p.data; len(rest) > 0; {
		f, next, err := nextField(rest)
		if err != nil {
			return err
		}
		rest = next
		if records++; records > MaxRecords {
			return errRecords
		}
		switch f.num {
		case fieldString:
			strs++
		case fieldFunction:
			funcs++
		case fieldLocation:
			locs++
		}
	}
	p.strs = make([]span, 0, strs)
	p.funcs = make([]function, 0, funcs)
	p.locs = make([]location, 0, locs)
	return nil
}

// errRecords is the error for a profile of more than MaxRecords records.
var errRecords = fmt.Errorf("a profile of more than MaxRecords, %d records (samples and their location ids, values and labels, locations and their lines, functions, mappings, strings): not a goroutine profile", MaxRecords)

// index takes note of one top-level field of the profile, at in p.data,
// and returns how many records it holds besides itself.
func (p *binaryProfile) index(f field, at span) (int, error) {
	switch f.num {
	case fieldSampleType, fieldSample, fieldMapping, fieldLocation, fieldFunction, fieldString, fieldPeriodType:
		if f.typ != protowire.BytesType {
			return 0, errProfile("field %d of wire type %d, want a message", f.num, f.typ)
		}
	case fieldComment:
		if f.typ == protowire.BytesType {
			return countVarints(f.value), nil
		}
		return 0, nil
	default:
		return 0, nil
	}
	switch f.num {
	case fieldString:
		p.strs = append(p.strs, at)
	case fieldSampleType:
		p.types++
		if p.types == 1 {
			v, err := uintField(f.value, fieldValueTypeType)
			if err != nil {
				return 0, err
			}
			p.typeName = v
		}
	case fieldSample:
		p.samples = true
		return countFields(f.value, fieldSampleLocation, fieldSampleValue)
	case fieldLocation:
		return p.indexLocation(f.value)
	case fieldFunction:
		return p.indexFunction(f.value)
	}
	return 0, nil
}

// indexLocation takes note of a Location, and of its lines that name a
// function (inlined calls first, their caller last, as profile.proto lists
// them): a line of no function, the profile package leaves out too.
func (p *binaryProfile) indexLocation(msg []byte) (int, error) {
	loc := location{first: uint32(len(p.lines))}
	n := 0
	for f, err := range fields(msg) {
		if err != nil {
			return 0, err
		}
		n++
		switch {
		case f.num == fieldLocationID && f.typ == protowire.VarintType:
			loc.id = varint(f.value)
		case f.num == fieldLocationLine && f.typ == protowire.BytesType:
			l, err := readLine(f.value)
			if err != nil {
				return 0, err
			}
			if l.fn != 0 {
				p.lines = append(p.lines, l)
				loc.n++
			}
		}
	}
	if loc.id == 0 {
		return 0, errProfile("a location of id 0")
	}
	p.locs = append(p.locs, loc)
	return n, nil
}

// readLine reads a Line: its function's id and its line number.
func readLine(msg []byte) (line, error) {
	var l line
	for f, err := range fields(msg) {
		if err != nil {
			return l, err
		}
		switch {
		case f.typ != protowire.VarintType:
		case f.num == fieldLineFunction:
			l.fn = varint(f.value)
		case f.num == fieldLineLine:
			l.line = uint32(min(varint(f.value), math.MaxInt32))
		}
	}
	return l, nil
}

// indexFunction takes note of a Function.
func (p *binaryProfile) indexFunction(msg []byte) (int, error) {
	var fn function
	n := 0
	for f, err := range fields(msg) {
		if err != nil {
			return 0, err
		}
		n++
		if f.typ != protowire.VarintType {
			continue
		}
		v := varint(f.value)
		switch f.num {
		case fieldFunctionID:
			fn.id = v
		case fieldFunctionName, fieldFunctionFilename:
			if v > MaxRecords {
				return 0, errProfile("string %d of a table of at most MaxRecords, %d", v, MaxRecords)
			}
			if f.num == fieldFunctionName {
				fn.name = uint32(v)
			} else {
				fn.file = uint32(v)
			}
		}
	}
	if fn.id == 0 {
		return 0, errProfile("a function of id 0")
	}
	p.funcs = append(p.funcs, fn)
	return n, nil
}

// check sorts the functions and locations by id, and refuses what
// profile.proto does not allow: an id twice, a string index past the
// table, a line of a function the profile does not have.
func (p *binaryProfile) check() error {
	if len(p.strs) == 0 || p.strs[0].n != 0 {
		return errProfile(`its string table must begin with ""`)
	}
	if p.samples && p.types == 0 {
		return errProfile("samples with no sample type")
	}
	if p.types > 0 && p.typeName >= uint64(len(p.strs)) {
		return errProfile("string %d of a table of %d", p.typeName, len(p.strs))
	}
	slices.SortFunc(p.funcs, func(a, b function) int { return compareIDs(a.id, b.id) })
	slices.SortFunc(p.locs, func(a, b location) int { return compareIDs(a.id, b.id) })
	for i, fn := range p.funcs {
		if i > 0 && p.funcs[i-1].id == fn.id {
			return errProfile("two functions of id %d", fn.id)
		}
		if int(fn.name) >= len(p.strs) || int(fn.file) >= len(p.strs) {
			return errProfile("string %d of a table of %d", max(fn.name, fn.file), len(p.strs))
		}
	}
	for i, loc := range p.locs {
		if i > 0 && p.locs[i-1].id == loc.id {
			return errProfile("two locations of id %d", loc.id)
		}
	}
	for i, l := range p.lines {
		fn, ok := slices.BinarySearchFunc(p.funcs, l.fn, func(f function, id uint64) int { return compareIDs(f.id, id) })
		if !ok {
			return errProfile("a line of function %d, which the profile does not have", l.fn)
		}
		p.lines[i].fn = uint64(fn)
	}
	return nil
}

func compareIDs(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// location is the index in p.locs of the location of id, -1 if the
// profile has none.
func (p *binaryProfile) location(id uint64) int {
	i, ok := slices.BinarySearchFunc(p.locs, id, func(l location, id uint64) int { return compareIDs(l.id, id) })
	if !ok {
		return -1
	}
	return i
}

// str is the string of index i of the table, made once however many
// frames and label sets have it.
func (p *binaryProfile) str(i uint32) string {
	s, ok := p.made[i]
	if !ok {
		sp := p.strs[i]
		s = string(p.data[sp.off : sp.off+sp.n])
		if p.made == nil {
			p.made = make(map[uint32]string)
		}
		p.made[i] = s
	}
	return s
}

// readSamples calls each for each sample of the profile that holds
// goroutines, in the order of the profile, until ctx ends.
func (p *binaryProfile) readSamples(ctx context.Context, each func(*Goroutine)) error {
	if p.types == 0 || p.str(uint32(p.typeName)) != "goroutine" {
		name := "no sample type's"
		if p.types > 0 {
			t := p.str(uint32(p.typeName))
			if len(t) > 64 {
				t = t[:64] + "..." // the profile's own text: not all of it, in a line of a log
			}
			name = "a " + strconv.Quote(t)
		}
		return fmt.Errorf("%s profile, not a goroutine profile", name)
	}
	found := false
	var count counter
	p.ctx = ctx
	for rest := p.data; len(rest) > 0; {
		f, next, err := nextField(rest)
		if err != nil {
			return err
		}
		rest = next
		if f.num != fieldSample {
			continue
		}
		if err := p.step(1); err != nil {
			return err
		}
		g, err := p.sample(f.value)
		if err != nil {
			return err
		}
		if g == nil {
			continue
		}
		if err := count.add(g.Count); err != nil {
			return err
		}
		each(g)
		found = true
	}
	if !found {
		return ErrNoGoroutines
	}
	return nil
}

// step counts n steps of reading the samples against maxSteps, and looks
// at the context every stepsPerLook of them.
func (p *binaryProfile) step(n int) error {
	before := p.steps
	if p.steps += n; p.steps > maxSteps {
		return fmt.Errorf("a profile whose samples ask for more than %d steps in all (location ids, and frames of inlined calls): not a goroutine profile", maxSteps)
	}
	if before/stepsPerLook != p.steps/stepsPerLook {
		return p.ctx.Err()
	}
	return nil
}

// stepsPerLook is how many steps of reading the samples come between two
// looks at the context.
const stepsPerLook = 4096

// sample reads one Sample: nil if it holds no goroutine (a count of 0 or
// less), else a Goroutine of its count, stack and labels. Of a stack
// deeper than MaxInnerFrames+MaxOuterFrames it reads only the frames it
// keeps.
func (p *binaryProfile) sample(msg []byte) (*Goroutine, error) {
	p.ids, p.pairs, p.labelSize = p.ids[:0], p.pairs[:0], 0
	values, depth := 0, 0
	var count int64
	for f, err := range fields(msg) {
		if err != nil {
			return nil, err
		}
		switch f.num {
		case fieldSampleLocation:
			err = eachVarint(f, func(id uint64) error {
				i := p.location(id)
				if i < 0 {
					return errProfile("a sample of location %d, which the profile does not have", id)
				}
				p.ids = append(p.ids, i)
				depth += int(p.locs[i].n)
				return p.step(1)
			})
		case fieldSampleValue:
			err = eachVarint(f, func(v uint64) error {
				if values == 0 {
					count = int64(v)
				}
				values++
				return nil
			})
		case fieldSampleLabel:
			if f.typ == protowire.BytesType {
				err = p.label(f.value)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if values != p.types {
		return nil, errProfile("a sample of %d values for %d sample types", values, p.types)
	}
	if count <= 0 {
		return nil, nil
	}
	if count > MaxGoroutines {
		return nil, errGroup(strconv.FormatInt(count, 10))
	}
	labels, err := p.labelSet()
	if err != nil {
		return nil, err
	}
	g := &Goroutine{Count: int(count), Labels: labels}
	if g.Frames, err = p.stack(depth); err != nil {
		return nil, err
	}
	return g, nil
}

// stack is the frames of the sample's locations, p.ids, depth frames in
// all: of a deeper stack than MaxInnerFrames+MaxOuterFrames, its innermost
// and outermost frames, as a text stack keeps them, read alone, whole
// locations at a time. Each location passed is a step, and each frame of
// one it reads.
func (p *binaryProfile) stack(depth int) ([]Frame, error) {
	keep := func(int) bool { return true }
	if depth > MaxInnerFrames+MaxOuterFrames {
		keep = func(at int) bool { return at < MaxInnerFrames || at >= depth-MaxOuterFrames }
	}
	at := 0
	for _, i := range p.ids { // the leaf first
		loc := p.locs[i]
		if depth > MaxInnerFrames+MaxOuterFrames && at >= MaxInnerFrames && at+int(loc.n) <= depth-MaxOuterFrames {
			at += int(loc.n) // all in the middle, which is not kept
			continue
		}
		if err := p.step(int(loc.n)); err != nil {
			p.frames.reset()
			return nil, err
		}
		for _, l := range p.lines[loc.first : loc.first+loc.n] {
			if keep(at) {
				fn := p.funcs[l.fn]
				p.frames.push(Frame{Func: p.str(fn.name), File: p.str(fn.file), Line: int(l.line)})
			}
			at++
		}
	}
	return p.frames.done(), nil
}

// label takes note of one Label of a sample: a string label, where it is
// one (a numeric label, or one of an empty value, is not, as the profile
// package reads them). Past maxLabelSet bytes of its label set written
// out, a sample's labels are counted, not kept: labelSet elides them, as a
// text dump's are.
func (p *binaryProfile) label(msg []byte) error {
	var l labelPair
	for f, err := range fields(msg) {
		if err != nil {
			return err
		}
		if f.typ != protowire.VarintType {
			continue
		}
		switch f.num {
		case fieldLabelKey:
			l.key = varint(f.value)
		case fieldLabelStr:
			l.str = varint(f.value)
		}
	}
	if l.str == 0 {
		return nil
	}
	if l.key >= uint64(len(p.strs)) || l.str >= uint64(len(p.strs)) {
		return errProfile("string %d of a table of %d", max(l.key, l.str), len(p.strs))
	}
	// As formatLabels writes it: "key":"value", with its separator.
	if p.labelSize += int(p.strs[l.key].n) + int(p.strs[l.str].n) + len(`"":"", `); p.labelSize <= maxLabelSet {
		p.pairs = append(p.pairs, l)
	}
	return nil
}

// labelSet is the sample's labels, p.pairs, in formatLabels' form, the
// values of a key given more than once joined by commas; "" for none.
func (p *binaryProfile) labelSet() (string, error) {
	switch {
	case p.labelSize > maxLabelSet:
		return ElidedLabels, nil
	case len(p.pairs) == 0:
		return "", nil
	}
	p.key = p.key[:0]
	for _, l := range p.pairs {
		p.key = protowire.AppendVarint(protowire.AppendVarint(p.key, l.key), l.str)
	}
	if set, ok := p.labels.values[string(p.key)]; ok {
		return set, nil
	}
	p.set = p.set[:0]
	for _, l := range p.pairs {
		p.set = append(p.set, label{p.str(uint32(l.key)), p.str(uint32(l.str))})
	}
	p.buf = appendLabels(p.buf[:0], p.set)
	if p.labelBytes += len(p.buf); p.labelBytes > maxLabelBytes {
		return "", fmt.Errorf("a profile whose label sets hold more than %d bytes in all: not a goroutine profile", maxLabelBytes)
	}
	set := string(p.buf)
	if p.labels.room(len(p.key)) {
		p.labels.values[string(p.key)] = set
	}
	return set, nil
}

// eachVarint calls fn for the value of a varint field, or each value of a
// packed one.
func eachVarint(f field, fn func(uint64) error) error {
	switch f.typ {
	case protowire.VarintType:
		return fn(varint(f.value))
	case protowire.BytesType:
		for b := f.value; len(b) > 0; {
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return errProfile("%v", protowire.ParseError(n))
			}
			if err := fn(v); err != nil {
				return err
			}
			b = b[n:]
		}
	}
	return nil
}

// varint is the value of a varint field, as nextField found it.
func varint(b []byte) uint64 {
	v, _ := protowire.ConsumeVarint(b)
	return v
}

// uintField is the varint field num of msg, 0 if it has none.
func uintField(msg []byte, num protowire.Number) (uint64, error) {
	var v uint64
	for f, err := range fields(msg) {
		if err != nil {
			return 0, err
		}
		if f.num == num && f.typ == protowire.VarintType {
			v = varint(f.value)
		}
	}
	return v, nil
}
