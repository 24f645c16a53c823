package diagnose

import (
	"bytes"
	"debug/elf"
	"debug/gosym"
	"debug/macho"
	"debug/pe"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"

	"github.com/connleak/connleak/dump"
)

// MaxBinary bounds the size of the file OpenBinary reads.
const MaxBinary = 2 << 30

// maxCallLines bounds the frames a Binary keeps the call lines of.
const maxCallLines = 4096

// Binary is a Go program's executable, read for the lines of the calls
// that made its goroutines. The runtime writes the frames of a goroutine's
// ancestors (GODEBUG=tracebackancestors) at the addresses their calls
// return to, where it writes every other frame at the call: a dump names
// the line of the code after the call, the call's own line, the next, or
// the for of a loop whose body the call ends. The binary's line table, at
// the address before, names the call's. A Binary is safe for use by
// several goroutines.
type Binary struct {
	table *gosym.Table
	// funcs are the table's functions by their names as a traceback
	// writes them: a generic function's type arguments as "[...]", so
	// that one name may be several functions.
	funcs map[string][]*gosym.Func

	mu sync.Mutex // guards lines
	// lines are the call lines found so far, by the frame a dump wrote;
	// at most maxCallLines.
	lines map[dump.Frame]callLine
}

// callLine is where a frame's call is, where the binary says.
type callLine struct {
	file string
	line int
	ok   bool
}

// OpenBinary reads the Go program's executable in the file name, an ELF,
// Mach-O or PE file of at most MaxBinary bytes: its headers and its Go line
// table (.gopclntab), which the Binary holds. Open one per program and keep
// it.
func OpenBinary(name string) (*Binary, error) {
	// Stat first, so that no open of a named pipe (which waits for a
	// writer) or a device is tried; then the opened file's own, in case
	// name was replaced meanwhile.
	fi, err := os.Stat(name)
	if err == nil {
		err = regularBinary(name, fi)
	}
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err = f.Stat(); err == nil {
		err = regularBinary(name, fi)
	}
	if err != nil {
		return nil, err
	}
	text, pclntab, err := lineTable(f, fi.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	b, err := newBinary(text, pclntab)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return b, nil
}

// regularBinary is nil if fi is of a regular file of at most MaxBinary
// bytes, else an error that says what it is not.
func regularBinary(name string, fi os.FileInfo) error {
	switch {
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%s: not a regular file: want the program's executable", name)
	case fi.Size() > MaxBinary:
		return fmt.Errorf("%s: %d bytes, more than MaxBinary (%d): not a program's executable", name, fi.Size(), MaxBinary)
	}
	return nil
}

// newBinary reads a Go line table, pclntab, of a program whose code begins
// at text.
func newBinary(text uint64, pclntab []byte) (b *Binary, err error) {
	// debug/gosym trusts the table it reads: a file that only looks like
	// a Go program's may make it panic.
	defer func() {
		if recover() != nil {
			b, err = nil, errNoLineTable
		}
	}()
	table, err := gosym.NewTable(nil, gosym.NewLineTable(pclntab, text))
	if err != nil || len(table.Funcs) == 0 {
		return nil, errNoLineTable
	}
	b = &Binary{table: table, funcs: make(map[string][]*gosym.Func, len(table.Funcs)), lines: map[dump.Frame]callLine{}}
	for i := range table.Funcs {
		fn := &table.Funcs[i]
		name := printedName(fn.Name)
		b.funcs[name] = append(b.funcs[name], fn)
	}
	return b, nil
}

var errNoLineTable = errors.New("no Go line table (.gopclntab) that reads: want a Go program's executable")

// lineTable is where the code of the executable r holds begins, and its Go
// line table.
func lineTable(r io.ReaderAt, size int64) (text uint64, pclntab []byte, err error) {
	magic := make([]byte, 4)
	if _, err := r.ReadAt(magic, 0); err != nil {
		return 0, nil, errors.New("not an executable: too short")
	}
	switch {
	case bytes.Equal(magic, []byte(elf.ELFMAG)):
		return elfLineTable(r)
	case isMachO(magic):
		return machoLineTable(r)
	case bytes.HasPrefix(magic, []byte("MZ")):
		return peLineTable(r, size)
	case binary.BigEndian.Uint32(magic) == macho.MagicFat:
		return 0, nil, errors.New("a universal Mach-O file: give the executable of one architecture (lipo -thin)")
	}
	return 0, nil, errors.New("not an ELF, Mach-O or PE executable")
}

// isMachO reports whether magic begins a Mach-O file of one architecture,
// in either byte order.
func isMachO(magic []byte) bool {
	for _, m := range []uint32{binary.LittleEndian.Uint32(magic), binary.BigEndian.Uint32(magic)} {
		if m == macho.Magic32 || m == macho.Magic64 {
			return true
		}
	}
	return false
}

// elfLineTable reads an ELF executable's, where the linker puts it: in
// .gopclntab, or .data.rel.ro.gopclntab in a position-independent one.
func elfLineTable(r io.ReaderAt) (uint64, []byte, error) {
	f, err := elf.NewFile(r)
	if err != nil {
		return 0, nil, err
	}
	text, tab := f.Section(".text"), f.Section(".gopclntab")
	if tab == nil {
		tab = f.Section(".data.rel.ro.gopclntab")
	}
	if text == nil || tab == nil || tab.Type == elf.SHT_NOBITS {
		return 0, nil, errNoLineTable
	}
	data, err := tab.Data()
	return text.Addr, data, err
}

// machoLineTable reads a Mach-O executable's, in __gopclntab.
func machoLineTable(r io.ReaderAt) (uint64, []byte, error) {
	f, err := macho.NewFile(r)
	if err != nil {
		return 0, nil, err
	}
	text, tab := f.Section("__text"), f.Section("__gopclntab")
	if text == nil || tab == nil {
		return 0, nil, errNoLineTable
	}
	data, err := tab.Data()
	return text.Addr, data, err
}

// peLineTable reads a PE executable's, between the symbols runtime.pclntab
// and runtime.epclntab: one linked with -s has none.
func peLineTable(r io.ReaderAt, size int64) (uint64, []byte, error) {
	f, err := pe.NewFile(r)
	if err != nil {
		return 0, nil, err
	}
	var base uint64
	switch h := f.OptionalHeader.(type) {
	case *pe.OptionalHeader32:
		base = uint64(h.ImageBase)
	case *pe.OptionalHeader64:
		base = h.ImageBase
	default:
		return 0, nil, errNoLineTable
	}
	text := f.Section(".text")
	var start, end *pe.Symbol
	for _, s := range f.Symbols {
		switch s.Name {
		case "runtime.pclntab":
			start = s
		case "runtime.epclntab":
			end = s
		}
	}
	if text == nil || start == nil || end == nil || start.SectionNumber != end.SectionNumber ||
		start.SectionNumber <= 0 || int(start.SectionNumber) > len(f.Sections) || start.Value > end.Value {
		return 0, nil, errNoLineTable
	}
	sect := f.Sections[start.SectionNumber-1]
	if int64(end.Value) > int64(sect.Size) || int64(sect.Size) > size {
		return 0, nil, errNoLineTable
	}
	data := make([]byte, end.Value-start.Value)
	if _, err := sect.ReadAt(data, int64(start.Value)); err != nil {
		return 0, nil, err
	}
	return base + uint64(text.VirtualAddress), data, nil
}

// printedName is a function's name as a traceback writes it: a generic
// function's type arguments as "[...]" (the runtime's
// funcNamePiecesForPrint).
func printedName(name string) string {
	i := strings.IndexByte(name, '[')
	j := strings.LastIndexByte(name, ']')
	if i < 0 || j <= i {
		return name
	}
	return name[:i] + "[...]" + name[j+1:]
}

// callLine is the line of the call that frame i of stack made, in the
// frame's file, stack being an ancestor's as a dump writes it
// (dump.Goroutine.Ancestors), at the addresses the calls return to: the
// line, in the binary's line table, of the instruction before the address
// the frame's Offset names. ok is false where the binary cannot say, or is
// not the dump's program (a function it does not have, an offset past its
// end, a line table that puts the frame elsewhere than the dump does). A
// nil Binary says nothing.
//
// Where a call's function was inlined into its caller and the call ends
// it, the address it returns to is the caller's: the runtime names the
// caller there, with its line, for the inlined function's frame, and the
// inlined function for the caller's, so that the call before the address
// is in another file. The caller's call, at a frame beside it, is then
// the line in the frame's file.
func (b *Binary) callLine(stack []dump.Frame, i int) (line int, ok bool) {
	if b == nil {
		return 0, false
	}
	c := b.call(stack, i)
	switch {
	case !c.ok:
		return 0, false
	case c.file == stack[i].File:
		return c.line, true
	}
	for _, k := range []int{i + 1, i - 1} {
		if k < 0 || k >= len(stack) {
			continue
		}
		if c := b.call(stack, k); c.ok && c.file == stack[i].File {
			return c.line, true
		}
	}
	return 0, false
}

// call is the file and line of the call at frame i of stack, an
// ancestor's, where the binary says, kept for the next stack with that
// frame.
func (b *Binary) call(stack []dump.Frame, i int) callLine {
	f := stack[i]
	if f.Offset == 0 || f.File == "" {
		return callLine{}
	}
	b.mu.Lock()
	c, known := b.lines[f]
	b.mu.Unlock()
	if !known {
		c = b.find(stack, i)
		b.mu.Lock()
		if len(b.lines) < maxCallLines {
			b.lines[f] = c
		}
		b.mu.Unlock()
	}
	return c
}

// find is call, not kept. The Offset is from the entry of the function
// whose code holds the frame, which is not the frame's own where the
// compiler inlined it: each function of the stack is tried, the frame's
// own first, then the nearest.
func (b *Binary) find(stack []dump.Frame, i int) (c callLine) {
	defer func() {
		if recover() != nil { // a line table debug/gosym cannot walk
			c = callLine{}
		}
	}()
	f := stack[i]
	for d := 0; d < 2*len(stack); d++ {
		j := i + (d+1)/2
		if d%2 == 1 {
			j = i - (d+1)/2
		}
		if j < 0 || j >= len(stack) {
			continue
		}
		for _, fn := range b.funcs[stack[j].Func] {
			pc := fn.Entry + f.Offset
			if pc <= fn.Entry || pc >= fn.End {
				continue
			}
			// The runtime wrote the line of pc itself: a binary of
			// another build puts something else there.
			if file, line, at := b.table.PCToLine(pc); at == nil || at.Entry != fn.Entry || file != f.File || line != f.Line {
				continue
			}
			if file, line, at := b.table.PCToLine(pc - 1); at != nil && at.Entry == fn.Entry && file != "" && line > 0 {
				return callLine{file, line, true}
			}
		}
	}
	return callLine{}
}
