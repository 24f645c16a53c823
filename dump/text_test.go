package dump

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
)

// encodeUTF16 writes s as UTF-16 in order, after its byte order mark.
func encodeUTF16(s string, order binary.AppendByteOrder) []byte {
	b := order.AppendUint16(nil, 0xfeff)
	for _, u := range utf16.Encode([]rune(s)) {
		b = order.AppendUint16(b, u)
	}
	return b
}

// mixedEnds is s with its lines ended in turn by "\n", "\r\n" and "\r",
// and its blank lines by "\r\n", so that they stay blank.
func mixedEnds(s string) string {
	var b strings.Builder
	for i, line := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		end := []string{"\n", "\r\n", "\r"}[i%3]
		if line == "" {
			end = "\r\n"
		}
		b.WriteString(line + end)
	}
	return b.String()
}

// TestReadEncodings checks that a dump reads the same whatever its line
// ends and its encoding: Windows' "\r\n", old Mac files' lone "\r", UTF-16
// as PowerShell's > writes it, gzipped or not.
func TestReadEncodings(t *testing.T) {
	want, wantFormat := readAll(t, stacks)
	crlf := strings.ReplaceAll(stacks, "\n", "\r\n")
	for _, tt := range []struct {
		name string
		dump []byte
	}{
		{"\\r\\n", []byte(crlf)},
		{"\\r", []byte(strings.ReplaceAll(stacks, "\n", "\r"))},
		{"\\r, \\n and \\r\\n", []byte(mixedEnds(stacks))},
		{"UTF-8 byte order mark", []byte("\xef\xbb\xbf" + stacks)},
		{"UTF-16LE", encodeUTF16(crlf, binary.LittleEndian)},
		{"UTF-16BE", encodeUTF16(stacks, binary.BigEndian)},
		{"UTF-16LE, gzipped", gzipped(encodeUTF16(crlf, binary.LittleEndian), gzip.BestCompression)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, format := readAll(t, string(tt.dump))
			if format != wantFormat || len(got) != len(want) {
				t.Fatalf("got %s and %d goroutines, want %s and %d", format, len(got), wantFormat, len(want))
			}
			for i := range want {
				if fmt.Sprint(got[i]) != fmt.Sprint(want[i]) {
					t.Errorf("goroutine %d:\n got %+v\nwant %+v", i, got[i], want[i])
				}
			}
		})
	}
}

// TestReadLongLines checks that Read takes a line of MaxLine bytes however
// it ends, and refuses one longer, naming it.
func TestReadLongLines(t *testing.T) {
	const header = "goroutine 1 [running]:\n"
	frame := func(n int) string { return "main." + strings.Repeat("f", n-len("main.()")) + "()" }
	for _, end := range []string{"\n", "\r\n", "\r", ""} {
		t.Run(fmt.Sprintf("%q", end), func(t *testing.T) {
			gs, _ := readAll(t, header+frame(MaxLine)+end)
			if len(gs) != 1 || len(gs[0].Frames) != 1 || len(gs[0].Frames[0].Func) != MaxLine-len("()") {
				t.Errorf("a line of MaxLine bytes: got %d goroutines, want 1 with its frame", len(gs))
			}
			_, err := Read(strings.NewReader(header+frame(MaxLine+1)+end), func(*Goroutine) {})
			if want := fmt.Sprintf("line 2 is longer than %d bytes", MaxLine); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("a line of MaxLine+1 bytes: got %v, want an error saying %q", err, want)
			}
		})
	}
	var lines bytes.Buffer
	for range 3 {
		lines.WriteString(frame(MaxLine) + "\r")
	}
	if gs, _ := readAll(t, header+lines.String()); len(gs[0].Frames) != 3 {
		t.Errorf("three lines of MaxLine bytes: got %d frames, want 3", len(gs[0].Frames))
	}
}

// TestLineSplitter checks that a dump splits into the same lines however
// they end, whether a read ends between a "\r" and its "\n" or not: one
// scan with a buffer of the whole input, one with a buffer of a few bytes
// that grows as a line needs.
func TestLineSplitter(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		want     []string
	}{
		{"\\n", "a\nbc\n\nd\n", []string{"a", "bc", "", "d"}},
		{"\\r\\n", "a\r\nbc\r\n\r\nd\r\n", []string{"a", "bc", "", "d"}},
		{"\\r", "a\rbc\r\rd\r", []string{"a", "bc", "", "d"}},
		{"\\r, then \\n", "a\rb\r\nc\nd", []string{"a", "b", "c", "d"}},
		{"\\n, then \\r", "a\nb\r\nc\rd\ne\r", []string{"a", "b", "c", "d", "e"}},
		{"\\r before \\n", "a\r\r\nb", []string{"a", "", "b"}},
		{"\\n\\r", "a\n\rb", []string{"a", "", "b"}},
		{"no end", "abc", []string{"abc"}},
		{"a \\r last", "abc\r", []string{"abc"}},
		{"empty", "", nil},
	} {
		for _, size := range []int{len(tt.in) + 1, 2} {
			t.Run(fmt.Sprintf("%s/buffer=%d", tt.name, size), func(t *testing.T) {
				sc := bufio.NewScanner(strings.NewReader(tt.in))
				sc.Buffer(make([]byte, 0, size), MaxLine+len("\r\n"))
				sc.Split(new(lineSplitter).split)
				var got []string
				for sc.Scan() {
					got = append(got, sc.Text())
				}
				if err := sc.Err(); err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, tt.want) {
					t.Errorf("got lines %q, want %q", got, tt.want)
				}
			})
		}
	}
}

// TestParseFileLine reads the file lines of a stack: a frame's file, line
// and offset, where it has each.
func TestParseFileLine(t *testing.T) {
	for _, tt := range []struct {
		line   string
		file   string
		n      int
		offset uint64
	}{
		{"/src/x.go:12 +0x1f", "/src/x.go", 12, 0x1f},
		{"/src/x.go:12", "/src/x.go", 12, 0},
		{"/src/x.go:12 +0x1f fp=0xc0 sp=0xc0 pc=0x74b3d1", "/src/x.go", 12, 0x1f},
		{"/src/x.go:12 fp=0xc0 sp=0xc0 pc=0x74b3d1", "/src/x.go", 12, 0},
		{"C:/Program Files/a +0x1/x.go:12 +0xffffffffffffffff", "C:/Program Files/a +0x1/x.go", 12, 1<<64 - 1},
		{"/src/x.go:12 +0x10000000000000000", "/src/x.go", 12, 0}, // past 64 bits
		{"/src/x.go:12 +0x1g", "/src/x.go", 12, 0},
		{"/src/x.go:12 +0x", "/src/x.go", 12, 0},
	} {
		file, n, offset := parseFileLine([]byte(tt.line))
		if string(file) != tt.file || n != tt.n || offset != tt.offset {
			t.Errorf("parseFileLine(%q) = %q, %d, %#x; want %q, %d, %#x", tt.line, file, n, offset, tt.file, tt.n, tt.offset)
		}
	}
}
