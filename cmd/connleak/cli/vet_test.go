package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/connleak/connleak/internal/testutil"
)

// seedModule writes a module holding the Resty demo's handler, and returns its
// directory.
func seedModule(t *testing.T, main string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range map[string]string{
		"go.mod":  "module example.com/seed\n\ngo 1.26\n",
		"main.go": main,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const seedHandler = `package main

import (
	"net/http"
	"time"
)

// The Resty demo's handler: a new client with a bare Transport, per request.
func forward(w http.ResponseWriter, r *http.Request) {
	client := &http.Client{Transport: &http.Transport{}, Timeout: time.Second}
	resp, err := client.Post("http://localhost:8080/hello", "application/json", nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	w.WriteHeader(resp.StatusCode)
}

func main() {
	http.HandleFunc("/forward", forward)
	http.ListenAndServe(":9090", nil)
}
`

// TestVetSeed runs connleak vet as a user would, in a module with the
// Resty demo's handler: it points at the lines, exits 1, and -fix sets
// IdleConnTimeout and says why it fixes nothing else, and nothing of go
// vet, which -fix does not go through. (That it works as go vet's -vettool is e2e's
// TestVetTool: go vet runs the binary.)
func TestVetSeed(t *testing.T) {
	dir := seedModule(t, seedHandler)
	r := run(t, dir, testutil.Getenv(), nil, "vet", "./...")
	for _, want := range []string{
		"main.go:10:13: an http.Client with a Transport of its own made per call (inside an HTTP handler)",
		"[client-per-call]\n",
		"main.go:10:37: http.Transport without IdleConnTimeout keeps every idle connection for ever",
		"[transport-idle-timeout]\n",
		"main.go:22:2: http.ListenAndServe runs an http.Server with no timeouts",
		"connleak: vet: 3 findings\n",
	} {
		if !strings.Contains(r.out(), want) {
			t.Errorf("connleak vet: no %q in\n%s", want, r.out())
		}
	}
	if r.code != 1 {
		t.Errorf("connleak vet with findings: exit %d, want 1", r.code)
	}

	// -fix says what became of every finding: the fix it applied, and
	// that the two others have none it can make.
	r = run(t, dir, testutil.Getenv(), nil, "vet", "-fix", "./...")
	for _, want := range []string{
		"connleak vet: fixes applied: 1 (main.go:10:37 [transport-idle-timeout]); files written: main.go",
		"connleak vet: no fix: main.go:10:13 [client-per-call]: not one -fix can make safely (https://github.com/connleak/connleak/blob/main/docs/checks.md#client-per-call)\n",
		"connleak vet: no fix: main.go:22:2 [server-idle-timeout]: not one -fix can make safely (https://github.com/connleak/connleak/blob/main/docs/checks.md#server-idle-timeout)\n",
	} {
		if r.code != 1 || !strings.Contains(r.stderr, want) {
			t.Errorf("connleak vet -fix: exit %d\n%s\nwant exit 1 and %q", r.code, r.out(), want)
		}
	}
	if strings.Contains(r.stderr, "could not check") {
		t.Errorf("connleak vet -fix:\n%s\nwant nothing said of go vet: -fix is no fallback", r.stderr)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "main.go"))
	if !strings.Contains(string(b), "&http.Transport{IdleConnTimeout: 90 * time.Second}") {
		t.Errorf("after -fix:\n%s\nwant IdleConnTimeout set", b)
	}
}

// TestVetSelf checks connleak vet on connleak: its deliberate leaks are
// each silenced by a directive, and nothing else is found.
func TestVetSelf(t *testing.T) {
	testutil.WholeModule(t)
	if r := run(t, moduleRoot(t), testutil.Getenv(), nil, "vet", "./..."); r.code != 0 || r.out() != "" {
		t.Errorf("connleak vet ./... on connleak: exit %d\n%s\nwant nothing found", r.code, r.out())
	}
}

// moduleRoot is the directory of connleak's go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatal(err)
	}
	return root
}

// TestVetBadPackages checks exit status 2 for packages that do not load,
// with vet.Run's error alone: one line, as for any bad input.
func TestVetBadPackages(t *testing.T) {
	dir := seedModule(t, "package main\n\nfunc main() { undefined() }\n")
	r := run(t, dir, testutil.Getenv(), nil, "vet", "./...")
	if r.code != 2 || !strings.Contains(r.out(), "do not load") || !strings.Contains(r.out(), "undefined") {
		t.Errorf("connleak vet on a package that does not compile: exit %d\n%s\nwant exit 2 saying why", r.code, r.out())
	}
	if !regexp.MustCompile(`^connleak: vet: the packages do not load: [^\n]*\n$`).MatchString(r.stderr) {
		t.Errorf("connleak vet on a package that does not compile:\n%s\nwant one line, vet.Run's error", r.stderr)
	}
}

// TestVetFallback checks that where go vet warns, connleak vet says so in
// one line, and why, and finds what vet.Run finds: a go on PATH that warns
// on vet, and runs the real go for the rest (go/packages' go list).
func TestVetFallback(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	script := "#!/bin/sh\nif [ \"$1\" = vet ]; then echo 'a warning of the test' >&2; exit 0; fi\nexec '" + goBin + "' \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "go"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	dir := seedModule(t, "package main\n\nimport \"net/http\"\n\nfunc main() { http.ListenAndServe(\"127.0.0.1:0\", nil) }\n")
	r := run(t, dir, testutil.Getenv(), nil, "vet", "./...")
	want := "connleak vet: go vet could not check the packages (a warning of the test); checked them with connleak's own loader\n"
	if r.code != 1 || !strings.HasPrefix(r.stderr, want) || !strings.Contains(r.stdout, "[server-idle-timeout]") {
		t.Errorf("connleak vet where go vet warns: exit %d\n%s\nwant exit 1, the server-idle-timeout finding, and first on stderr:\n%s", r.code, r.out(), want)
	}
}

// TestVetSeedResty runs connleak vet on the Resty demo's own code: a Resty client
// per request, given a bare Transport.
func TestVetSeedResty(t *testing.T) {
	if testing.Short() {
		t.Skip("go mod tidy may reach the module proxy; -short runs no network test")
	}
	dir := seedModule(t, `package main

import (
	"net/http"

	"github.com/go-resty/resty/v2"
)

func forward(w http.ResponseWriter, r *http.Request) {
	client := resty.New()
	transport := &http.Transport{}
	client.SetTransport(transport)
	resp, err := client.R().Post("http://localhost:8080/hello")
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.Write(resp.Body())
}

func main() {
	http.HandleFunc("/forward", forward)
	srv := &http.Server{Addr: ":9090", IdleTimeout: 2 * 60 * 1e9}
	srv.ListenAndServe()
}
`)
	// Resty from the module cache this module's build filled; its go.sum
	// holds the checksums.
	sum, err := os.ReadFile(filepath.Join(moduleRoot(t), "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644)
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/seed\n\ngo 1.26\n\nrequire github.com/go-resty/resty/v2 v2.17.2\n"), 0o644)
	tidy := exec.Command("go", "mod", "tidy")
	tidy.Dir = dir
	if out, err := tidy.CombinedOutput(); err != nil {
		t.Fatalf("go mod tidy: %v\n%s", err, out)
	}
	r := run(t, dir, testutil.Getenv(), nil, "vet", "./...")
	for _, want := range []string{
		"main.go:10:12: a Resty client made per call (inside an HTTP handler)",
		"main.go:11:16: http.Transport without IdleConnTimeout keeps every idle connection for ever",
		"connleak: vet: 2 findings",
	} {
		if !strings.Contains(r.out(), want) {
			t.Errorf("connleak vet on the Resty demo's handler: no %q in\n%s", want, r.out())
		}
	}
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
}

// directive is a //connleak:ignore directive with its check and a reason.
var directive = regexp.MustCompile(`//connleak:ignore ((transport-idle-timeout|client-per-call|server-idle-timeout|body-not-closed|raw-body-not-closed) \S)`)

// TestVetSelfDirectives strips connleak's //connleak:ignore directives from
// a copy of it: connleak vet then finds one thing for each, at its line.
func TestVetSelfDirectives(t *testing.T) {
	testutil.WholeModule(t)
	root := moduleRoot(t)
	dir := t.TempDir()
	directives := 0
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata" || d.Name() == "bin") {
			return filepath.SkipDir
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		if !strings.HasSuffix(path, ".go") && d.Name() != "go.mod" && d.Name() != "go.sum" && !strings.HasSuffix(path, ".html") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		text := string(b)
		if strings.HasSuffix(path, ".go") && !strings.HasPrefix(rel, "vet"+string(filepath.Separator)) {
			directives += len(directive.FindAllString(text, -1))
			text = directive.ReplaceAllString(text, "// was ignored: $1")
		}
		return os.WriteFile(filepath.Join(dir, rel), []byte(text), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	out := run(t, dir, testutil.Getenv(), nil, "vet", "./...").out()
	findings := len(regexp.MustCompile(`(?m)^\S+\.go:\d+:\d+: .*\]$`).FindAllString(out, -1))
	if directives == 0 || findings != directives {
		t.Errorf("%d directives in connleak, and without them connleak vet finds %d:\n%s\nwant one finding for each", directives, findings, out)
	}
}

// TestVetExitCodes checks connleak vet's exit status: 0 for nothing found,
// 1 for findings and only for them, 2 for anything that stops it.
func TestVetExitCodes(t *testing.T) {
	clean := "package main\n\nfunc main() {}\n"
	for _, tt := range []struct {
		name string
		dir  func(t *testing.T) string
		args []string
		code int
		want string
	}{
		{"nothing found", func(t *testing.T) string { return seedModule(t, clean) }, []string{"vet", "./..."}, 0, ""},
		{"findings", func(t *testing.T) string { return seedModule(t, seedHandler) }, []string{"vet", "./..."}, 1, "vet: 3 findings"},
		{"help", func(t *testing.T) string { return seedModule(t, clean) }, []string{"vet", "-h"}, 0, "usage: connleak vet"},
		{"bad flag", func(t *testing.T) string { return seedModule(t, clean) }, []string{"vet", "-nope", "./..."}, 2, "flag provided but not defined: -nope"},
		{"outside a module", func(t *testing.T) string { return t.TempDir() }, []string{"vet", "./doesnotexist"}, 2, "vet: ./doesnotexist matched no packages"},
		{"empty module", func(t *testing.T) string {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/empty\n\ngo 1.26\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			return dir
		}, []string{"vet", "./..."}, 2, "vet: ./... matched no packages"},
		{"no such directory", func(t *testing.T) string { return seedModule(t, clean) }, []string{"vet", "./doesnotexist"}, 2, "do not load"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.dir(t), testutil.Getenv(), nil, tt.args...)
			if r.code != tt.code || !strings.Contains(r.out(), tt.want) {
				t.Errorf("connleak %s: got exit %d and\n%s\nwant exit %d and %q", strings.Join(tt.args, " "), r.code, r.out(), tt.code, tt.want)
			}
		})
	}
}

// TestVetNoTests checks that -test=false leaves a package's test files
// out, and that by default they are checked with the rest; -test=false,
// which go vet has not, is no fallback, and says nothing of go vet.
func TestVetNoTests(t *testing.T) {
	dir := seedModule(t, "package main\n\nfunc main() {}\n")
	test := "package main\n\nimport (\n\t\"net/http\"\n\t\"testing\"\n)\n\nvar tr = &http.Transport{}\n\nfunc TestT(t *testing.T) { _ = tr }\n"
	if err := os.WriteFile(filepath.Join(dir, "main_test.go"), []byte(test), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"vet", "./..."}, 1, "main_test.go:8:11: "},
		{[]string{"vet", "-test=false", "./..."}, 0, ""},
	} {
		r := run(t, dir, testutil.Getenv(), nil, tt.args...)
		if r.code != tt.code || !strings.Contains(r.out(), tt.want) || tt.want == "" && strings.Contains(r.out(), "main_test.go") ||
			tt.code == 1 && !strings.Contains(r.out(), "vet: 1 finding\n") || strings.Contains(r.stderr, "could not check") {
			t.Errorf("connleak %s: got exit %d and\n%s\nwant exit %d and %q", strings.Join(tt.args, " "), r.code, r.out(), tt.code, tt.want)
		}
	}
}
