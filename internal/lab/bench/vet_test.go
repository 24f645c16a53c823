package bench

import (
	"bytes"
	"context"
	"github.com/connleak/connleak/internal/testutil"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// standInChecker, set in the environment, makes the test binary a
// stand-in for bodyclose: a checker of x/tools (multichecker, with
// connleak's analyzers), which answers as bodyclose does, on its own and as
// go vet's -vettool.
const standInChecker = "CONNLEAK_BENCH_CHECKER"

// writeFiles writes the files, by their names relative to dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		name = filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// tinyModule is a module of two packages, b importing a; b makes a
// Transport without IdleConnTimeout, which connleak's analyzers flag and go
// vet's do not.
var tinyModule = map[string]string{
	"go.mod": "module example.com/m\n\ngo 1.26.0\n",
	"a/a.go": "package a\n\n// N is what b uses.\nconst N = 1\n",
	"b/b.go": "package b\n\nimport (\n\t\"net/http\"\n\n\t\"example.com/m/a\"\n)\n\n" +
		"// T is a Transport that keeps its idle connections for ever.\nvar T = &http.Transport{MaxIdleConns: a.N}\n",
	".git/HEAD": "not copied\n",
}

// TestVet times go vet, the real connleak (built here) and a stand-in
// for bodyclose on a tiny module, once each in each state, and checks what
// Vet says of them and that it edits its copy, not the module.
func TestVet(t *testing.T) {
	testutil.WholeModule(t) // it builds connleak and runs go vet some twenty times
	tmp := t.TempDir()
	exe := filepath.Join(tmp, "connleak")
	if out, err := exec.Command("go", "build", "-o", exe, "github.com/connleak/connleak/cmd/connleak").CombinedOutput(); err != nil {
		t.Fatalf("build connleak: %v\n%s", err, out)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	mod := filepath.Join(tmp, "m")
	writeFiles(t, mod, tinyModule)
	t.Setenv(standInChecker, "1")
	t.Setenv("GORACE", "atexit_sleep_ms=0") // a stand-in built with -race would wait a second as it exits
	var log bytes.Buffer
	// The module named by one of its directories: Vet takes the module's root.
	r, err := Vet(context.Background(), VetConfig{Exe: exe, Module: filepath.Join(mod, "b"), Dir: filepath.Join(tmp, "work"), BodyClose: self, Rounds: 1, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if r.Module != "example.com/m" || r.Packages != 2 || r.Edited != "example.com/m/a" || r.EditFile != filepath.Join("a", "a.go") || r.Importers != 1 || r.BodyClose != "connleak/internal/lab/bench.test" {
		t.Errorf("Vet: module %q, %d packages, edited %q in %q, imported by %d, bodyclose %q; want example.com/m, 2, example.com/m/a in a/a.go, 1, connleak/internal/lab/bench.test",
			r.Module, r.Packages, r.Edited, r.EditFile, r.Importers, r.BodyClose)
	}
	want := []struct {
		command  string
		findings int
	}{
		{"go vet ./...", 0},
		{"connleak vet ./...", 1},
		{"go vet -vettool=connleak ./...", 1},
		{"go vet -vettool=bodyclose ./...", 1},
		{"bodyclose ./...", 1},
	}
	if len(r.Rows) != len(want) {
		t.Fatalf("%d rows, want %d: %+v", len(r.Rows), len(want), r.Rows)
	}
	for i, w := range want {
		row := r.Rows[i]
		if row.Command != w.command || row.Findings != w.findings {
			t.Errorf("row %d: %q with %d findings, want %q with %d", i, row.Command, row.Findings, w.command, w.findings)
		}
		for s, sp := range row.Times {
			if sp.Median <= 0 || sp.Min > sp.Median || sp.Max < sp.Median {
				t.Errorf("%s, %v: %+v, want a median between the fastest and the slowest", row.Command, VetState(s), sp)
			}
		}
	}
	if n := strings.Count(log.String(), "\n"); n != 3*len(want) {
		t.Errorf("%d lines of progress, want one a run, %d:\n%s", n, 3*len(want), &log)
	}
	if got, _ := os.ReadFile(filepath.Join(mod, "a", "a.go")); string(got) != tinyModule["a/a.go"] {
		t.Errorf("the module's a/a.go is now %q: Vet edits its copy, not the module", got)
	}
	if got, _ := os.ReadFile(filepath.Join(tmp, "work", "module", "a", "a.go")); !strings.Contains(string(got), "\nconst ConnleakBenchEdit = ") {
		t.Errorf("the copy's a/a.go is %q, want the last edit, an exported constant", got)
	}
	if _, err := os.Stat(filepath.Join(tmp, "work", "module", ".git")); !os.IsNotExist(err) {
		t.Errorf("the copy has a .git (%v), want the dot directories left out", err)
	}

	var b bytes.Buffer
	if err := WriteVet(&b, r); err != nil {
		t.Fatal(err)
	}
	for _, row := range []string{
		`(?m)^COMMAND +FINDINGS +CACHED +VS GO VET +EDIT INSIDE +VS GO VET +EDIT OF ITS API +VS GO VET$`,
		`(?m)^go vet \./\.\.\. +0 +\d+ms \(\d+-\d+\) +1\.00x +\d+ms \(\d+-\d+\) +1\.00x +\d+ms \(\d+-\d+\) +1\.00x$`,
		`(?m)^bodyclose \./\.\.\. +1 +\d+ms \(\d+-\d+\) +[0-9.]+x +\d+ms .* +[0-9.]+x$`,
	} {
		if !regexp.MustCompile(row).Match(b.Bytes()) {
			t.Errorf("no line %s in\n%s", row, &b)
		}
	}
}

// TestVetFails checks that a module that does not build stops Vet, with
// go vet's standard error, and that a directory outside any module does.
func TestVetFails(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go vet")
	}
	tmp := t.TempDir()
	mod := filepath.Join(tmp, "m")
	writeFiles(t, mod, map[string]string{
		"go.mod": "module example.com/m\n\ngo 1.26.0\n",
		"a/a.go": "package a\n\nvar X = undefinedName\n",
	})
	_, err := Vet(context.Background(), VetConfig{Exe: "connleak-not-run", Module: mod, Dir: filepath.Join(tmp, "work"), Rounds: 1})
	if err == nil || !strings.Contains(err.Error(), "go vet -json ./...: exit status 1") || !strings.Contains(err.Error(), "undefined: undefinedName") {
		t.Errorf("Vet of a module that does not build: %v; want go vet's status and its standard error", err)
	}
	t.Setenv("GOFLAGS", "")
	t.Setenv("GO111MODULE", "on")
	_, err = Vet(context.Background(), VetConfig{Exe: "connleak-not-run", Module: tmp, Dir: filepath.Join(tmp, "work2"), Rounds: 1})
	if err == nil || !strings.Contains(err.Error(), "is not in a Go module") {
		t.Errorf("Vet outside a module: %v; want it said", err)
	}
}

// TestWriteVet checks the table's ratios to go vet, state by state, and
// its legend.
func TestWriteVet(t *testing.T) {
	ms := func(med, min, max int) Spread {
		return Spread{time.Duration(med) * time.Millisecond, time.Duration(min) * time.Millisecond, time.Duration(max) * time.Millisecond}
	}
	r := VetResult{Module: "example.com/m", Packages: 21, Edited: "example.com/m/a", EditFile: "a/a.go", Importers: 13, Rounds: 5,
		Rows: []VetRow{
			{Command: "go vet ./...", Times: [vetStates]Spread{ms(400, 380, 450), ms(1000, 900, 1100), ms(2000, 1900, 2100)}},
			{Command: "connleak vet ./...", Findings: 2, Times: [vetStates]Spread{ms(600, 590, 610), ms(1500, 1400, 1600), ms(3000, 2900, 3100)}},
		}}
	var b bytes.Buffer
	if err := WriteVet(&b, r); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"vet on ./... of example.com/m (21 packages), in a copy, medians of 5 interleaved runs (fastest-slowest):\n",
		"go vet ./...        0         400ms (380-450)  1.00x      1000ms (900-1100)   1.00x      2000ms (1900-2100)  1.00x\n",
		"connleak vet ./...  2         600ms (590-610)  1.50x      1500ms (1400-1600)  1.50x      3000ms (2900-3100)  1.50x\n",
		"in a/a.go (package example.com/m/a, which 13 of the 21 packages import)",
		"bodyclose: not measured (make bench installs it; connleak bench -bodyclose FILE runs it).\n",
	} {
		if !strings.Contains(b.String(), line) {
			t.Errorf("no %q in\n%s", line, &b)
		}
	}
}
