package diagnose

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// allAtOne names every finding at 1, so that a small program's few
// connections are sited.
func allAtOne() map[string]int {
	m := map[string]int{}
	for _, f := range Findings() {
		m[f.ID] = 1
	}
	return m
}

// sitesOf diagnoses dump, with the binary b (or none), and returns the
// report and the sites of all its findings.
func sitesOf(t *testing.T, dump []byte, b *Binary) (Report, []Site) {
	t.Helper()
	d := Diagnosis{Thresholds: allAtOne(), Binary: b}
	r, err := d.read(context.Background(), bytes.NewReader(dump))
	if err != nil {
		t.Fatal(err)
	}
	var sites []Site
	for _, f := range r.Findings {
		sites = append(sites, f.Sites...)
	}
	return r, sites
}

// goBuild builds the program of the module in dir as the fixtures are
// built, with -trimpath, into a temporary directory, with the go command's
// own toolchain or, where toolchain is not "", that one from the module
// cache (never the network), and GOOS and GOARCH from env.
func goBuild(t *testing.T, dir, toolchain string, env ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), filepath.Base(dir))
	cmd := exec.Command("go", "build", "-trimpath", "-o", out, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if toolchain != "" {
		cmd.Env = append(cmd.Env, "GOTOOLCHAIN="+toolchain, "GOPROXY=off")
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build in %s: %v\n%s", dir, err, b)
	}
	return out
}

// markedCalls are the lines of a source file marked "// call: NAME", by
// name.
func markedCalls(t *testing.T, file string) map[string]int {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	calls := map[string]int{}
	for i, line := range strings.Split(string(src), "\n") {
		if _, name, ok := strings.Cut(line, "// call: "); ok && !strings.HasPrefix(strings.TrimSpace(line), "//") {
			calls[name] = i + 1
		}
	}
	return calls
}

// TestCallLines runs a program whose calls that make connections are on
// known lines (testdata/calls, each marked "// call: NAME") with
// GODEBUG=tracebackancestors=5, and reads its dump. With the program's
// binary each site names its call's own line, the lines the runtime wrote
// right as well as those it wrote one line on or at a loop's for; without,
// the line the runtime wrote, said to be "at or just before" the call.
func TestCallLines(t *testing.T) {
	bin := goBuild(t, "testdata/calls", "")
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin) // killed, by its PID, if it outlives the minute
	cmd.Env = append(os.Environ(), "GODEBUG=tracebackancestors=5")
	dump, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v", bin, err)
	}
	b, err := OpenBinary(bin)
	if err != nil {
		t.Fatal(err)
	}
	const file = "connleak/diagnose/testdata/calls/main.go"
	calls := markedCalls(t, "testdata/calls/main.go")
	functions := map[string][]string{ // the functions a site of each call may name
		"go":      {"main.main"},
		"plain":   {"main.plain"},
		"loop":    {"main.loop"},
		"checked": {"main.checked"},
		// helper is inlined into inlined, whose name the runtime may
		// write for it.
		"helper": {"main.helper", "main.inlined"},
		// get, inlined into swapped and of another file, ends with its
		// call: the runtime names swapped for get's frame, and get for
		// swapped's.
		"swapped": {"main.swapped"},
	}
	_, exact := sitesOf(t, dump, b)
	r, printed := sitesOf(t, dump, nil)
	var text strings.Builder
	r.WriteText(&text, "calls", nil)
	moved := 0
	for name, line := range calls {
		i := slices.IndexFunc(exact, func(s Site) bool { return slices.Contains(functions[name], s.Function) })
		if i < 0 {
			t.Errorf("call %s (line %d): no site of %v in %+v", name, line, functions[name], exact)
			continue
		}
		if s := exact[i]; !s.Exact || s.File != file || s.Line != line {
			t.Errorf("call %s: with the binary, site %+v; want %s:%d, exact", name, s, file, line)
		}
		p := printed[slices.IndexFunc(printed, func(s Site) bool { return s.Function == exact[i].Function })]
		if p.Exact || p.Line == 0 {
			t.Errorf("call %s: without the binary, site %+v; want the line the runtime wrote, not exact", name, p)
		}
		if want := fmt.Sprintf("%s (%s, at or just before line %d)", p.Function, file, p.Line); !strings.Contains(text.String(), want) {
			t.Errorf("call %s: the text says\n%s\nwant %q in it", name, text.String(), want)
		}
		if p.Line != line {
			moved++
		}
	}
	if moved == 0 {
		t.Errorf("every line the runtime wrote is its call's: want some one line on, or at a loop's for, as the runtime writes them (%+v)", printed)
	}
	if !strings.Contains(text.String(), "connleak diagnose -binary FILE") {
		t.Errorf("the text without the binary says\n%s\nwant it to say the binary names the calls' lines", text.String())
	}
}

// mkdumpCalls are the calls that made the connections of testdata/mkdump's
// dumps, found in its source: each in the function whose declaration
// begins decl, the first line after it that holds call.
var mkdumpCalls = []struct{ fn, decl, call string }{
	{"main.main", "func main()", "plain.Start()"},
	{"main.main", "func main()", "secure.StartTLS()"},
	{"main.leaky", "func leaky(", "c.Get(url)"},
	{"main.leakyH2", "func leakyH2(", "c.Get(url)"},
	{"main.unreadBodies", "func unreadBodies(", "c.Get(url)"},
	{"main.hangingH2Calls", "func hangingH2Calls(", "c.Get(url)"},
	{"main.callAsync", "func callAsync(", "go func()"},
	{"main.callAsync.func1", "func callAsync(", "c.Get(url)"},
}

// TestFixtureCallLines reads the dumps testdata has of every Go version,
// with the binary of mkdump, which made them, built here. Go builds the
// same binary of the same source with the same toolchain: the dump of the
// version that built it names each call's own line. The others, of
// builds it is not, name either the call's line or, where the binary does
// not match them, the line the runtime wrote, never another; and so do
// they all with a binary of another program. Without -short, the binaries
// of the other versions whose toolchains are in the module cache are built
// too, each for its own dump.
func TestFixtureCallLines(t *testing.T) {
	src, err := os.ReadFile("testdata/mkdump/main.go")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(src), "\n")
	want := map[string][]int{} // the lines of each function's calls
	for _, c := range mkdumpCalls {
		decl := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, c.decl) })
		at := slices.IndexFunc(lines[decl+1:], func(l string) bool { return strings.Contains(l, c.call) })
		if decl < 0 || at < 0 {
			t.Fatalf("no %q after %q in testdata/mkdump/main.go", c.call, c.decl)
		}
		want[c.fn] = append(want[c.fn], decl+1+at+1)
	}
	fixtures, err := filepath.Glob("testdata/dumps/go*.debug2.txt")
	if err != nil || len(fixtures) == 0 {
		t.Fatalf("no debug=2 dumps in testdata/dumps: %v", err)
	}
	versionOf := func(fixture string) string { return strings.TrimSuffix(filepath.Base(fixture), ".debug2.txt") }

	local := goBuild(t, "testdata/mkdump", "")
	info, err := buildinfo.ReadFile(local)
	if err != nil {
		t.Fatal(err)
	}
	binaries := map[string]string{info.GoVersion: local} // by the version that built them
	if !testing.Short() {
		for _, f := range fixtures {
			v := versionOf(f)
			if binaries[v] != "" {
				continue
			}
			cached := exec.Command("go", "version")
			cached.Env = append(os.Environ(), "GOTOOLCHAIN="+v, "GOPROXY=off")
			if err := cached.Run(); err != nil {
				t.Logf("%s: not in the module cache; its dump is read with the binaries of the others only", v)
				continue
			}
			binaries[v] = goBuild(t, "testdata/mkdump", v)
		}
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	binaries["this test's binary"] = self

	matched := 0
	for _, f := range fixtures {
		dump, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fv := versionOf(f)
		if _, sites := sitesOf(t, dump, nil); slices.ContainsFunc(sites, func(s Site) bool { return s.Exact }) {
			t.Errorf("%s without a binary: sites %+v, want none exact", fv, sites)
		}
		for bv, path := range binaries {
			b, err := OpenBinary(path)
			if err != nil {
				t.Fatal(err)
			}
			_, sites := sitesOf(t, dump, b)
			if len(sites) == 0 {
				t.Fatalf("%s: no sites", fv)
			}
			for _, s := range sites {
				switch {
				case s.Exact && !slices.Contains(want[s.Function], s.Line):
					t.Errorf("%s with the binary of %s: site %+v; want a line of %v, or not exact", fv, bv, s, want[s.Function])
				case bv == fv && !s.Exact:
					t.Errorf("%s with its own binary: site %+v not exact; want a line of %v", fv, s, want[s.Function])
				case bv == "this test's binary" && s.Exact:
					t.Errorf("%s with a binary of another program: site %+v exact; want the line the dump wrote", fv, s)
				}
			}
			if bv == fv {
				matched++
			}
		}
	}
	if matched == 0 {
		t.Errorf("no dump in testdata of %s, the toolchain that built mkdump here: make one with testdata/mkdump", info.GoVersion)
	}
}

// TestOpenBinaryFormats reads the line table of a program built for each
// executable format Go writes: ELF (Linux), Mach-O (macOS) and PE
// (Windows), each naming the line of a function's first instruction.
func TestOpenBinaryFormats(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the standard library for two other systems")
	}
	src, err := os.ReadFile("testdata/calls/main.go")
	if err != nil {
		t.Fatal(err)
	}
	line := slices.Index(strings.Split(string(src), "\n"), "func plain(url string) {") + 1
	for _, target := range [][]string{{"GOOS=linux", "GOARCH=amd64"}, {"GOOS=darwin", "GOARCH=arm64"}, {"GOOS=windows", "GOARCH=amd64"}} {
		t.Run(strings.Join(target, " "), func(t *testing.T) {
			b, err := OpenBinary(goBuild(t, "testdata/calls", "", target...))
			if err != nil {
				t.Fatal(err)
			}
			fns := b.funcs["main.plain"]
			if len(fns) != 1 {
				t.Fatalf("main.plain: %d functions, want 1", len(fns))
			}
			if file, got, _ := b.table.PCToLine(fns[0].Entry); file != "connleak/diagnose/testdata/calls/main.go" || got != line {
				t.Errorf("main.plain's entry at %s:%d, want connleak/diagnose/testdata/calls/main.go:%d", file, got, line)
			}
		})
	}
}

// TestOpenBinaryRefuses checks that OpenBinary reads nothing but a regular
// file of at most MaxBinary bytes that is a Go program's executable, and
// says why.
func TestOpenBinaryRefuses(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	exe, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	huge := write("huge", nil)
	if err := os.Truncate(huge, MaxBinary+1); err != nil { // sparse: no disk taken
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, path, want string
	}{
		{"a directory", dir, "not a regular file"},
		{"a missing file", filepath.Join(dir, "missing"), "no such file"},
		{"a text file", write("dump.txt", []byte("goroutine 1 [running]:\n")), "not an ELF, Mach-O or PE executable"},
		{"an empty file", write("empty", nil), "not an executable"},
		{"a universal Mach-O file", write("fat", []byte("\xca\xfe\xba\xbe\x00\x00\x00\x02")), "a universal Mach-O file: give the executable of one architecture (lipo -thin)"},
		{"the first 4 KiB of an executable", write("cut", exe[:4096]), ""},
		{"an executable whose line table is zeroed", write("zeroed", zeroLineTable(t, exe)), "no Go line table"},
		{"a file past MaxBinary", huge, "more than MaxBinary"},
	} {
		b, err := OpenBinary(tt.path)
		if b != nil || err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), tt.path) && !strings.Contains(err.Error(), tt.path) {
			t.Errorf("%s: %v, %v; want an error naming the file and saying %q", tt.name, b, err, tt.want)
		}
	}
}

// zeroLineTable is the ELF executable exe with the header of its Go line
// table zeroed.
func zeroLineTable(t *testing.T, exe []byte) []byte {
	t.Helper()
	f, err := elf.NewFile(bytes.NewReader(exe))
	if err != nil {
		t.Skipf("this test's binary is no ELF file: %v", err)
	}
	tab := f.Section(".gopclntab")
	if tab == nil {
		t.Fatal("no .gopclntab in this test's binary")
	}
	out := slices.Clone(exe)
	clear(out[tab.Offset : tab.Offset+64])
	return out
}
