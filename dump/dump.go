package dump

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Format is the kind of dump Read found.
type Format string

// The formats Read tells apart.
const (
	// Binary is pprof's goroutine profile at debug=0, the gzipped protocol
	// buffer `go tool pprof` saves: goroutines grouped by stack and labels.
	Binary Format = "debug=0"
	// Grouped is pprof's debug=1: "N @ 0x..." and "#" frame lines, one
	// group per distinct stack and label set.
	Grouped Format = "debug=1"
	// Stacks is one block per goroutine, "goroutine N [state]:" and its
	// frames: pprof's debug=2, runtime.Stack.
	Stacks Format = "debug=2"
	// Traceback is Stacks as a crash or a signal (SIGQUIT, SIGABRT) prints
	// them, after a "panic:", "fatal error:" or "SIGQUIT:" line.
	Traceback Format = "traceback"
	// Goleak is Stacks inside goleak's "found unexpected goroutines" error.
	Goleak Format = "goleak"
)

// HasWaits reports whether a dump of format f says how long each goroutine
// has waited (where a minute or more): the one-block-per-goroutine forms
// do, grouped profiles (debug=0 and 1) do not.
func (f Format) HasWaits() bool {
	return f == Stacks || f == Traceback || f == Goleak
}

// Frame is one call of a stack.
type Frame struct {
	Func string // package path and function, such as net/http.(*conn).serve
	File string // where the dump says, else ""
	Line int    // where the dump says, else 0
	// Offset is the frame's "+0x..." in a dump of one block per goroutine
	// (debug=2, a traceback, goleak's): how far its PC is past the entry
	// of the function whose code holds it (the outermost, where calls were
	// inlined); 0 where the dump gives none. With the program's binary it
	// names the frame's instruction (diagnose.Binary).
	Offset uint64
}

// Goroutine is one goroutine of a dump, or in a Grouped dump one group of
// goroutines with the same stack and labels.
type Goroutine struct {
	ID        int           // the goroutine's ID; 0 in a Grouped dump
	Count     int           // 1, or the number of goroutines in a group
	State     string        // such as "IO wait" or "select"; "" in a Grouped dump
	Wait      time.Duration // how long it has been blocked, where the dump says (a minute at least)
	Labels    string        // a Grouped dump's "# labels:" set, as written, such as {"k":"v"}
	Frames    []Frame       // innermost call first
	CreatedBy Frame         // the function whose go statement started it, where the dump says
	// Ancestors are the stacks, innermost call first, of the goroutines
	// that created this one, its creator first, where the program ran with
	// GODEBUG=tracebackancestors=N. The runtime writes an ancestor's frame
	// at the address its call returns to, not at the call as it does the
	// others: a frame's Line is that of the code after the call, the
	// call's own line or a later one (the next statement's, or the for of
	// a loop whose body the call ends), and its Offset that address's.
	Ancestors [][]Frame
	// AncestorIDs are the IDs of the goroutines of Ancestors, in the same
	// order: a program can tell which goroutine started which, as
	// connleaktest tells a test's connections from another's.
	AncestorIDs []int
}

// Entry is the function the goroutine was started with, as people read it
// off a dump: the outermost frame that is not in the runtime nor a wrapper
// (a compiler-made go statement wrapper, sync.WaitGroup.Go's). A leaked client connection is
// net/http.(*persistConn).readLoop or writeLoop, a server connection
// net/http.(*conn).serve, whatever they are blocked in at the top.
func (g *Goroutine) Entry() string {
	for i := len(g.Frames) - 1; i >= 0; i-- {
		f := g.Frames[i].Func
		if !isWrapper(f) {
			return f
		}
	}
	if len(g.Frames) > 0 {
		return g.Frames[0].Func
	}
	return ""
}

func isWrapper(f string) bool {
	return strings.HasPrefix(f, "runtime.") || strings.Contains(f, ".gowrap") || strings.HasPrefix(f, "sync.(*WaitGroup).Go.")
}

// MaxLine is the longest line Read accepts, in bytes and without its end
// (a "\n", a "\r\n" or a lone "\r").
const MaxLine = 1 << 20

// Bounds of what a dump says, past which it is no real process's: Read
// refuses a dump that goes past them, rather than hand on counts that
// overflow.
const (
	// MaxGoroutines bounds a group's count (debug=1, debug=0), and the
	// goroutines of a whole dump: 2^30 goroutines would take 2 TiB of
	// stack at least, more than any process holds.
	MaxGoroutines = 1 << 30
	// MaxWait bounds how long a dump says a goroutine has waited: 100
	// years, well within a time.Duration's 292.
	MaxWait = 100 * 365 * 24 * time.Hour
)

// counter counts a dump's goroutines, against MaxGoroutines.
type counter struct{ n int }

// add counts a group of n goroutines, n at most MaxGoroutines.
func (c *counter) add(n int) error {
	if n > MaxGoroutines-c.n {
		return fmt.Errorf("more than MaxGoroutines, %d goroutines, in the dump: no process holds as many", MaxGoroutines)
	}
	c.n += n
	return nil
}

// errGroup is the error for a group of more than MaxGoroutines goroutines,
// count as the dump writes it.
func errGroup(count string) error {
	return fmt.Errorf("a group of %s goroutines: want at most MaxGoroutines, %d, in one process", count, MaxGoroutines)
}

// ErrNoGoroutines is Read's error for input that holds no goroutine.
var ErrNoGoroutines = errors.New("no goroutine found: want a goroutine dump (pprof's goroutine profile at debug=0, 1 or 2, runtime.Stack, a crash traceback, or goleak's message)")

// Read parses the dump r holds, calling each for every goroutine (or group,
// in a grouped dump) in the order of the dump. It tells the formats apart by
// their content. Lines that belong to no goroutine (a panic message,
// registers, a profile's header) are skipped. Text may be UTF-8, or UTF-16
// after its byte order mark, its lines ended by "\n", "\r\n" or a lone
// "\r"; binary or text, it may be gzipped. It returns the format it found,
// and ErrNoGoroutines if there was none.
func Read(r io.Reader, each func(*Goroutine)) (Format, error) {
	return ReadContext(context.Background(), r, each)
}

// ReadContext is Read until ctx ends: then it stops, whatever it was
// reading, and returns ctx's error. A binary profile is read whole, then
// decompressed and read while holding one of GOMAXPROCS slots of the
// process, which it waits for within ctx; gzipped profiles held at once in
// the process, read and waiting, are at most MaxHeld bytes in all.
func ReadContext(ctx context.Context, r io.Reader, each func(*Goroutine)) (Format, error) {
	if ctx.Done() != nil {
		r = ctxReader{ctx, r}
	}
	// br's buffer is half the text scanner's, so that the scanner's reads,
	// larger, go straight to r rather than through a copy in br.
	br := bufio.NewReaderSize(r, scanBuffer/2)
	if head, _ := br.Peek(2); bytes.Equal(head, []byte("\x1f\x8b")) {
		return readGzip(ctx, br, each)
	}
	return readText(ctx, br, each)
}

// ctxReader fails its reads once ctx is done: with the error of the
// reader it reads, where that has one of its own (a response body that
// says it timed out), else with ctx's.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (r ctxReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err == nil {
		err = r.ctx.Err()
	}
	return n, err
}

// Byte order marks.
var (
	utf8BOM    = []byte("\xef\xbb\xbf")
	utf16LEBOM = []byte("\xff\xfe")
	utf16BEBOM = []byte("\xfe\xff")
)

// hasUTF16BOM reports whether b begins with a UTF-16 byte order mark.
func hasUTF16BOM(b []byte) bool {
	return bytes.HasPrefix(b, utf16LEBOM) || bytes.HasPrefix(b, utf16BEBOM)
}

// decodeText is the text br holds, in UTF-8: past a UTF-8 byte order mark,
// as some editors save, or decoded from UTF-16 after its byte order mark,
// as Windows PowerShell's > writes, a little at a time.
func decodeText(br *bufio.Reader) io.Reader {
	head, _ := br.Peek(len(utf8BOM))
	switch {
	case bytes.HasPrefix(head, utf8BOM):
		br.Discard(len(utf8BOM))
	case hasUTF16BOM(head):
		return transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder())
	}
	return br
}

// errLongLine is lineSplitter's error for a line longer than MaxLine.
var errLongLine = errors.New("line too long")

// lineSplitter splits a dump into its lines, however they end: "\n",
// "\r\n", or a lone "\r" as old Mac files do.
type lineSplitter struct {
	// lone is set once a lone "\r" has ended a line: from then on, split
	// looks for both ends at once. Before, it looks for a "\n", the
	// quickest search, and for a "\r" apart, so that a dump of "\n" or
	// "\r\n" ends is searched once, and one of "\r" ends is not searched
	// to its end for a "\n" at every line.
	lone bool
	// noCR is how many bytes at the start of the data split is given next
	// are known to hold no "\r": the search for one, which most dumps have
	// none of, runs to the end of the data read once, not at every line.
	// The data is what the scanner has yet to split, from its start.
	noCR int
}

// split is a bufio.SplitFunc for the lines of a dump. It refuses a line
// longer than MaxLine.
func (s *lineSplitter) split(data []byte, atEOF bool) (int, []byte, error) {
	i := s.lineEnd(data)
	advance, line := 0, []byte(nil)
	switch {
	case i > MaxLine || i < 0 && len(data) > MaxLine:
		return 0, nil, errLongLine
	case i < 0 && atEOF && len(data) > 0:
		advance, line = len(data), data // the last line, with no end
	case i < 0:
		return 0, nil, nil // more to read
	case data[i] == '\n':
		advance, line = i+1, data[:i]
	case i+1 < len(data) && data[i+1] == '\n':
		advance, line = i+2, data[:i]
	case i+1 < len(data) || atEOF:
		advance, line = i+1, data[:i]
	default:
		return 0, nil, nil // a "\r" last read: is a "\n" next?
	}
	s.noCR = max(s.noCR-advance, 0)
	return advance, line, nil
}

// lineEnd is where in data the first "\r" or "\n" is, or -1.
func (s *lineSplitter) lineEnd(data []byte) int {
	if s.lone {
		return bytes.IndexAny(data, "\r\n")
	}
	i := bytes.IndexByte(data, '\n')
	end := i
	if i < 0 {
		end = len(data)
	}
	if s.noCR < end {
		if k := bytes.IndexByte(data[s.noCR:], '\r'); k >= 0 {
			s.noCR += k // a "\r" is there
		} else {
			s.noCR = len(data)
		}
	}
	j := s.noCR
	switch {
	case j >= end:
		return i // no "\r" before the "\n"
	case j != i-1 && j+1 < len(data):
		s.lone = true // not a "\r\n"; a "\r" last read may yet be one
	}
	return j // a "\r", alone or a "\r\n"'s
}

// scanBuffer is the size of readText's buffer at first, grown up to
// MaxLine for a long line.
const scanBuffer = 64 << 10

// readText reads a text dump.
func readText(ctx context.Context, br *bufio.Reader, each func(*Goroutine)) (Format, error) {
	sc := bufio.NewScanner(decodeText(br))
	sc.Buffer(make([]byte, 0, scanBuffer), MaxLine+len("\r\n"))
	sc.Split(new(lineSplitter).split)
	p := parser{each: each}
	lineNo := 0
	for sc.Scan() {
		lineNo++
		if lineNo%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return p.format, err
			}
		}
		if err := p.line(sc.Bytes()); err != nil {
			return p.format, fmt.Errorf("line %d: %w", lineNo, err)
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, errLongLine) || errors.Is(err, bufio.ErrTooLong) {
			return p.format, fmt.Errorf("line %d is longer than %d bytes: not a goroutine dump", lineNo+1, MaxLine)
		}
		return p.format, err
	}
	format, err := p.end()
	if err != nil && !errors.Is(err, ErrNoGoroutines) {
		return format, fmt.Errorf("line %d: %w", lineNo, err)
	}
	return format, err
}

// section is where in a text dump a line is.
type section int

const (
	outside       section = iota // between goroutines: a panic message, registers, a profile's header
	own                          // a goroutine's own stack, and its created by
	ancestor                     // an ancestor's stack (GODEBUG=tracebackancestors)
	pastAncestors                // an ancestor's stack past MaxAncestors, skipped
)

// parser reads a text dump, a line at a time.
type parser struct {
	each       func(*Goroutine)
	count      counter
	format     Format
	crash      bool // a panic, fatal error or signal line came first
	goleak     bool // goroutines inside goleak's message
	found      bool // each has had a goroutine
	section    section
	g          *Goroutine // the goroutine being read; nil outside
	frames     stack      // g's own frames so far
	ancestor   stack      // the frames so far of the ancestor being read
	ancestorID int        // the ID of the ancestor being read
	// ancestors and ancestorIDs are g's ancestors so far, kept from one
	// goroutine to the next: flush hands out a copy of each.
	ancestors   [][]Frame
	ancestorIDs []int
	names       memo[string] // the functions and files of the frames read so far
	places      memo[place]  // the places of the file lines read so far
	labels      memo[string] // the label sets of the headers read so far, written out
}

// line reads one line of the dump. Dumps pasted into issues and chats come
// indented, with their tabs turned to spaces: it reads every line trimmed,
// and tells a file line by its tab or, failing that, by its shape.
func (p *parser) line(raw []byte) error {
	line := bytes.TrimSpace(raw)
	switch {
	case len(line) == 0:
		return p.flush()
	case hasPrefix(line, "goroutine ") && endsWith(line, ':'):
		return p.header(line)
	case p.format != Grouped && isGoleakHeader(line):
		return p.goleakHeader(line)
	case line[0] >= '0' && line[0] <= '9' && bytes.Contains(line, []byte(" @ ")):
		return p.groupHeader(line)
	case p.section == outside:
		if !p.found && isCrashLine(line) {
			p.crash = true
		}
	case p.format == Grouped:
		p.groupLine(line)
	default:
		return p.stackLine(raw, line)
	}
	return nil
}

// start begins goroutine g, of a dump of format, once the one before is
// done; a nil g (a header that did not read) begins none.
func (p *parser) start(g *Goroutine, format Format) error {
	if err := p.flush(); err != nil {
		return err
	}
	if g != nil {
		p.g, p.format, p.section = g, format, own
		p.frames.reset()
	}
	return nil
}

// header reads "goroutine 18 [IO wait, 106 minutes]:".
func (p *parser) header(line []byte) error {
	g, err := parseHeader(string(line), &p.labels)
	if err != nil {
		return err
	}
	return p.start(g, Stacks)
}

// goleakHeader reads goleak's "[Goroutine 7 in state IO wait, with f on
// top of the stack:".
func (p *parser) goleakHeader(line []byte) error {
	g, err := parseGoleakHeader(string(line), &p.labels)
	if err != nil {
		return err
	}
	p.goleak = p.goleak || g != nil
	return p.start(g, Stacks)
}

// groupHeader reads debug=1's "3 @ 0x43e1ae 0x4b1c5f", a group of 3
// goroutines.
func (p *parser) groupHeader(line []byte) error {
	count := string(line[:bytes.IndexByte(line, ' ')])
	n, err := strconv.Atoi(count)
	switch {
	case errors.Is(err, strconv.ErrRange) || err == nil && n > MaxGoroutines:
		return errGroup(count)
	case err != nil || n <= 0:
		return p.start(nil, Grouped)
	}
	return p.start(&Goroutine{Count: n}, Grouped)
}

// groupLine reads a line of a debug=1 group: its labels or a frame.
func (p *parser) groupLine(line []byte) {
	switch {
	case bytes.HasPrefix(line, []byte("# labels: ")):
		set := line[len("# labels: "):]
		if len(set) > maxLabelSet {
			p.g.Labels = ElidedLabels // not made a string
			return
		}
		p.g.Labels = p.labels.get(set, func(b []byte) string { return normalLabels(string(b)) })
	case bytes.HasPrefix(line, []byte("#")) || bytes.HasPrefix(line, []byte("0x")):
		if f, ok := parseGroupedFrame(string(line)); ok {
			p.frames.push(f)
		}
	}
}

// stackLine reads a line of a debug=2 goroutine: a frame, where it is, the
// goroutine's created by, or the start of an ancestor's stack. Any other
// line ends the goroutine: what a shell or a test runner printed after a
// traceback ("exit status 2", "FAIL ..."), with no blank line before it.
func (p *parser) stackLine(raw, line []byte) error {
	switch {
	case p.format != Stacks:
	case hasPrefix(line, "[originating from goroutine "):
		p.startAncestor(line)
	case raw[0] == '\t' || isFileLine(line):
		p.fileLine(line)
	case hasPrefix(line, "created by "):
		if p.section == own {
			p.g.CreatedBy = Frame{Func: p.names.get(createdBy(line), toString)}
		}
	case hasPrefix(line, "...") || line[0] == ']' || line[0] == '[':
		// "...additional frames elided...", the end of goleak's list
	case !endsWith(line, ')'):
		return p.flush()
	default:
		if s := p.stack(); s != nil {
			s.push(Frame{Func: p.names.get(funcName(line), toString)})
		}
	}
	return nil
}

// stack is the stack being read: g's own, an ancestor's, or nil past
// MaxAncestors.
func (p *parser) stack() *stack {
	switch p.section {
	case own:
		return &p.frames
	case ancestor:
		return &p.ancestor
	}
	return nil
}

// startAncestor begins an ancestor's stack, "[originating from goroutine
// 39]:", after the one before.
func (p *parser) startAncestor(line []byte) {
	p.endAncestor()
	if len(p.ancestors) == MaxAncestors {
		p.section = pastAncestors
		return
	}
	id := bytes.TrimSuffix(bytes.TrimPrefix(line, []byte("[originating from goroutine ")), []byte("]:"))
	p.ancestorID, _ = strconv.Atoi(string(id)) // 0 where it does not read
	p.section = ancestor
	p.ancestor.reset()
}

// endAncestor adds the ancestor's stack being read, if any, to g.
func (p *parser) endAncestor() {
	if p.section == ancestor {
		p.ancestors = append(p.ancestors, p.ancestor.done())
		p.ancestorIDs = append(p.ancestorIDs, p.ancestorID)
	}
}

// fileLine reads "/src/x.go:12 +0x1f" into the frame before it: the last
// of the stack being read, or g's created by where that came last.
func (p *parser) fileLine(line []byte) {
	// The frames of one call site have the same file line, in every
	// goroutine of their stack: it is read once.
	pl := p.places.get(line, p.place)
	if c := &p.g.CreatedBy; p.section == own && c.Func != "" && c.File == "" {
		c.File, c.Line, c.Offset = pl.file, pl.line, pl.offset
		return
	}
	if s := p.stack(); s != nil {
		if f := s.last(); f != nil && f.File == "" {
			f.File, f.Line, f.Offset = pl.file, pl.line, pl.offset
		}
	}
}

// place is where a file line says a frame is.
type place struct {
	file   string
	line   int
	offset uint64
}

// place reads a file line, "/src/x.go:12 +0x1f".
func (p *parser) place(line []byte) place {
	file, n, offset := parseFileLine(line)
	return place{p.names.get(file, toString), n, offset}
}

// flush hands the goroutine being read, if any, to each.
func (p *parser) flush() error {
	if p.g == nil {
		return nil
	}
	if err := p.count.add(p.g.Count); err != nil {
		return err
	}
	p.endAncestor()
	if len(p.ancestors) > 0 {
		p.g.Ancestors, p.g.AncestorIDs = slices.Clone(p.ancestors), slices.Clone(p.ancestorIDs)
		clear(p.ancestors) // not to keep the stacks handed out
		p.ancestors, p.ancestorIDs = p.ancestors[:0], p.ancestorIDs[:0]
	}
	p.g.Frames = p.frames.done()
	p.each(p.g)
	p.found = true
	p.g, p.section = nil, outside
	return nil
}

// end is what the whole dump read as, once its last line is.
func (p *parser) end() (Format, error) {
	if err := p.flush(); err != nil {
		return p.format, err
	}
	switch {
	case !p.found:
		return p.format, ErrNoGoroutines
	case p.format == Stacks && p.goleak:
		return Goleak, nil
	case p.format == Stacks && p.crash:
		return Traceback, nil
	}
	return p.format, nil
}

// isGoleakHeader reports whether line is goleak's "[Goroutine 7 in state
// IO wait, with f on top of the stack:", or one of its followers, which
// start with a space instead of the bracket.
func isGoleakHeader(line []byte) bool {
	// Its end first: Read asks of most lines, and TrimLeft is the dearer.
	return bytes.HasSuffix(line, []byte("on top of the stack:")) && bytes.HasPrefix(bytes.TrimLeft(line, "[ "), []byte("Goroutine "))
}

// parseGoleakHeader reads "[Goroutine 7 in state IO wait, 3 minutes, with
// f on top of the stack:", as parseHeader does.
func parseGoleakHeader(line string, labels *memo[string]) (*Goroutine, error) {
	rest := strings.TrimPrefix(strings.TrimLeft(line, "[ "), "Goroutine ")
	idText, rest, _ := strings.Cut(rest, " in state ")
	state, _, ok := strings.Cut(rest, ", with ")
	id, err := strconv.Atoi(idText)
	if !ok || err != nil {
		return nil, nil
	}
	return parseHeader(fmt.Sprintf("goroutine %d [%s]:", id, state), labels)
}

// fileLine is where a frame is: a path (spaces and all), a line number,
// then perhaps the frame's offset and, in GOTRACEBACK=system tracebacks,
// its fp, sp and pc.
var fileLine = regexp.MustCompile(`:\d+( \+0x[0-9a-f]+)?( fp=\S+ sp=\S+ pc=\S+)?$`)

// isFileLine reports whether a trimmed line of a stack is where a frame is,
// "/src/x.go:12 +0x1f", rather than the frame, "pkg.f(0xc0, ...)".
func isFileLine(line []byte) bool {
	// A ':' first: the expression needs one, and the line most often
	// asked of with no ')' at its end, a created by, has none.
	return !endsWith(line, ')') && bytes.IndexByte(line, ':') >= 0 && fileLine.Match(line)
}

// isCrashLine reports whether line is how a crash or a signal's traceback
// begins: "panic: ...", "fatal error: ...", "SIGQUIT: quit".
func isCrashLine(line []byte) bool {
	if bytes.HasPrefix(line, []byte("panic: ")) || bytes.HasPrefix(line, []byte("fatal error: ")) {
		return true
	}
	sig, _, ok := bytes.Cut(line, []byte(": "))
	return ok && len(sig) > 3 && bytes.HasPrefix(sig, []byte("SIG")) && bytes.Equal(bytes.ToUpper(sig), sig)
}

// parseHeader reads "goroutine 18 [IO wait, 106 minutes]:", and the forms
// with more between the ID and the state ("gp=0x... m=nil [select]:"). It
// returns nil and no error for a line that is no header after all, and an
// error for a wait past MaxWait. It writes out label sets through labels.
func parseHeader(line string, labels *memo[string]) (*Goroutine, error) {
	rest := strings.TrimPrefix(line, "goroutine ")
	idText, rest, _ := strings.Cut(rest, " ")
	id, err := strconv.Atoi(idText)
	open, end := strings.IndexByte(rest, '['), strings.LastIndexByte(rest, ']')
	if err != nil || open < 0 || end < open {
		return nil, nil
	}
	g := &Goroutine{ID: id, Count: 1}
	// Go 1.27 (tracebacklabels, on by default in a go 1.27 module) writes
	// the labels after the state, unquoted where it can:
	// [IO wait, 5 minutes] {caller: checkout}:. The state holds no "]", the
	// labels may.
	if i := strings.Index(rest[open:], "] {"); i >= 0 && strings.HasSuffix(line, "}:") {
		end = open + i
		g.Labels = labels.getString(rest[end+2:len(rest)-1], headerLabels)
	}
	state := rest[open+1 : end]
	// GODEBUG=tracebacklabels=1 (Go 1.26) adds the labels last, with no
	// comma: [IO wait, 106 minutes labels:{"k": "v"}].
	if i := strings.Index(state, "labels:{"); i >= 0 {
		// Its key keeps "labels:", which no Go 1.27 set begins with.
		g.Labels = labels.getString(state[i:], func(s string) string { return normalLabels(s[len("labels:"):]) })
		state = strings.TrimSpace(state[:i])
	}
	var more string
	g.State, more, _ = strings.Cut(state, ", ")
	for p := range strings.SplitSeq(more, ", ") {
		if n, ok := strings.CutSuffix(p, " minutes"); ok {
			m, err := strconv.Atoi(n)
			switch {
			case errors.Is(err, strconv.ErrRange) || err == nil && (m < 0 || m > int(MaxWait/time.Minute)):
				return nil, fmt.Errorf("a wait of %s minutes: want 0 to MaxWait, %d minutes (100 years)", n, MaxWait/time.Minute)
			case err == nil:
				g.Wait = time.Duration(m) * time.Minute
			}
		}
	}
	return g, nil
}

// funcName is the function of a frame line: "pkg.f(0xc0, ...)" without its
// arguments.
func funcName(line []byte) []byte {
	if i := bytes.LastIndexByte(line, '('); i > 0 && endsWith(line, ')') {
		return line[:i]
	}
	return line
}

// createdBy reads "created by pkg.f in goroutine 7".
func createdBy(line []byte) []byte {
	f := bytes.TrimPrefix(line, []byte("created by "))
	if i := bytes.Index(f, []byte(" in goroutine ")); i >= 0 {
		f = f[:i]
	}
	return f
}

// parseFileLine reads "/src/x.go:12 +0x1f", and GOTRACEBACK=system's
// "/src/x.go:12 +0x1f fp=0xc0 sp=0xc0 pc=0x74b3d1", into its file, its
// line and its offset (0 for none).
func parseFileLine(s []byte) ([]byte, int, uint64) {
	s, offset := cutOffset(s)
	if i := bytes.Index(s, []byte(" fp=0x")); i >= 0 {
		s = s[:i]
	}
	file, line := splitFileLine(s)
	return file, line, offset
}

// cutOffset is s up to its last " +0x", the frame's offset that ends a
// file line, if it has one, and that offset (0 for none). It looks for the
// "+" alone, from the end, a quicker search than bytes.LastIndex's.
func cutOffset(s []byte) ([]byte, uint64) {
	for i := len(s); ; {
		i = bytes.LastIndexByte(s[:i], '+')
		switch {
		case i < 1:
			return s, 0
		case s[i-1] == ' ' && bytes.HasPrefix(s[i:], []byte("+0x")):
			return s[:i-1], parseHex(s[i+len("+0x"):])
		}
	}
}

// parseHex reads the hexadecimal number s begins with, up to a space or
// its end; 0 where it is no such number or does not fit 64 bits.
func parseHex(s []byte) uint64 {
	if i := bytes.IndexByte(s, ' '); i >= 0 {
		s = s[:i]
	}
	if len(s) == 0 || len(s) > 16 {
		return 0
	}
	var n uint64
	for _, c := range s {
		switch {
		case '0' <= c && c <= '9':
			n = n<<4 | uint64(c-'0')
		case 'a' <= c && c <= 'f':
			n = n<<4 | uint64(c-'a'+10)
		default:
			return 0
		}
	}
	return n
}

// hasPrefix is bytes.HasPrefix for a constant prefix, which the compiler
// compares in place rather than by a call.
func hasPrefix(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && string(b[:len(prefix)]) == prefix
}

// endsWith reports whether b's last byte is c: bytes.HasSuffix, quicker
// for one byte.
func endsWith(b []byte, c byte) bool {
	return len(b) > 0 && b[len(b)-1] == c
}

// parseGroupedFrame reads "#\t0x4dc0dc\tmain.main.func1+0x1c\t/src/main.go:12",
// and the same without its "#", or with spaces for tabs, as it is quoted.
func parseGroupedFrame(line string) (Frame, bool) {
	fields := strings.Fields(strings.TrimPrefix(line, "#"))
	if len(fields) < 2 || !strings.HasPrefix(fields[0], "0x") {
		return Frame{}, false
	}
	fields = fields[1:] // the address
	fn := fields[0]
	if i := strings.LastIndex(fn, "+0x"); i > 0 {
		fn = fn[:i]
	}
	f := Frame{Func: fn}
	if len(fields) > 1 {
		f.File, f.Line = splitFileLine(strings.Join(fields[1:], " "))
	}
	return f, true
}

// splitFileLine splits "/src/x.go:12" into its file and line number; a
// file with no number after its last colon has line 0.
func splitFileLine[S ~string | ~[]byte](s S) (S, int) {
	i := len(s) - 1
	for i >= 0 && s[i] != ':' {
		i--
	}
	if i < 0 {
		return s, 0
	}
	n, err := strconv.Atoi(string(s[i+1:]))
	if err != nil {
		return s, 0
	}
	return s[:i], n
}
