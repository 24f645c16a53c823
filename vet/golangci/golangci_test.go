package golangci_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/connleak/connleak/internal/testutil"
	"github.com/connleak/connleak/vet"
)

// golangciLint is the golangci-lint the test builds connleak into.
const golangciLint = "github.com/golangci/golangci-lint/v2"

// golangciVersion is its version: the one .custom-gcl.yml names, which the
// test checks.
const golangciVersion = "v2.15.0"

// TestGolangciLint builds golangci-lint with connleak's plugin from the
// repository's own .custom-gcl.yml, as a user does with `golangci-lint
// custom`, then runs it with the repository's .golangci.yml on
// testdata, a module with one case of each check: it must report each
// case, and nothing else, at its line, with its check's id; honour
// //connleak:ignore; run only the checks that its settings choose; and
// stop with a clear message on settings it does not know.
func TestGolangciLint(t *testing.T) {
	testutil.WholeModule(t) // it builds golangci-lint, twice
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	custom := buildCustom(t, root, tmp)
	config := readFile(t, filepath.Join(root, ".golangci.yml"))
	cache := filepath.Join(tmp, "lint-cache")
	want := wantFindings(t, "testdata")

	t.Run("findings", func(t *testing.T) {
		out, code := lint(t, custom, cache, config, "./...")
		if code != 1 {
			t.Errorf("exit code %d, want 1 for findings", code)
		}
		if got := findings(t, out); !slices.Equal(got, want) {
			t.Errorf("got findings\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
		}
	})

	t.Run("ignore", func(t *testing.T) {
		// The directive silences the one finding in testdata/ignored.
		out, code := lint(t, custom, cache, config, "./ignored/...")
		if got := findings(t, out); code != 0 || len(got) != 0 {
			t.Errorf("exit code %d, findings %q; want 0 and none: the //connleak:ignore directive silences it", code, got)
		}
		// Without it, the finding is there.
		dir := copyModule(t, "testdata", config)
		path := filepath.Join(dir, "ignored", "ignored.go")
		src := readFile(t, path)
		without := regexp.MustCompile(`(?m)^//connleak:ignore .*\n`).ReplaceAllString(src, "")
		if without == src {
			t.Fatal("testdata/ignored/ignored.go has no //connleak:ignore directive")
		}
		writeFile(t, path, without)
		out, code = lintIn(t, custom, cache, dir, "./ignored/...")
		if got := findings(t, out); code != 1 || len(got) != 1 || !strings.HasPrefix(got[0], "ignored/ignored.go:") {
			t.Errorf("without the directive: exit code %d, findings %q; want 1 and its one finding", code, got)
		}
	})

	t.Run("checks", func(t *testing.T) {
		id := vet.Checks()[len(vet.Checks())-1].ID
		out, code := lint(t, custom, cache, withSettings(t, config, "checks: ["+id+"]"), "./...")
		var only []string
		for _, f := range want {
			if strings.HasSuffix(f, " "+id) {
				only = append(only, f)
			}
		}
		if got := findings(t, out); code != 1 || !slices.Equal(got, only) {
			t.Errorf("checks: [%s]: exit code %d, findings %q; want 1 and %q", id, code, got, only)
		}
	})

	var ids []string
	for _, c := range vet.Checks() {
		ids = append(ids, c.ID)
	}
	for _, tc := range []struct {
		name, settings, want string
	}{
		{"unknown check", "checks: [no-such-check]", `connleak: checks: unknown check "no-such-check"; the checks are ` + strings.Join(ids, ", ")},
		{"unknown setting", "check: [" + ids[0] + "]", `connleak: decoding settings: json: unknown field "check"; its one setting is checks, a list of check ids`},
		{"not a list", "checks: " + ids[0], `connleak: decoding settings: json: cannot unmarshal string into Go struct field Settings.checks of type []string`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, code := lint(t, custom, cache, withSettings(t, config, tc.settings), "./...")
			if code != 3 || !strings.Contains(out, tc.want) {
				t.Errorf("settings %q: exit code %d, output\n%s\nwant 3 (golangci-lint's failure) and %q", tc.settings, code, out, tc.want)
			}
		})
	}
}

// buildCustom builds golangci-lint with connleak's plugin, as the
// repository's .custom-gcl.yml says, in tmp, and returns the binary.
//
// `golangci-lint custom` clones golangci-lint's source with git from
// GitHub. So that the test needs nothing but the Go module proxy, it makes
// a git repository of the module's source as the proxy serves it, tagged
// with its version, and tells git, in the command's environment only, to
// clone that instead.
func buildCustom(t *testing.T, root, tmp string) string {
	t.Helper()
	config := readFile(t, filepath.Join(root, ".custom-gcl.yml"))
	if !regexp.MustCompile(`(?m)^version: ` + regexp.QuoteMeta(golangciVersion) + `$`).MatchString(config) {
		t.Fatalf(".custom-gcl.yml does not say version: %s:\n%s", golangciVersion, config)
	}
	// The plugin is this checkout: the path, relative to the repository's
	// root in the file, becomes absolute.
	pathLine := regexp.MustCompile(`(?m)^(\s+)path: \.$`)
	if n := len(pathLine.FindAllString(config, -1)); n != 1 {
		t.Fatalf(".custom-gcl.yml has %d lines `path: .`, want 1:\n%s", n, config)
	}
	indent := pathLine.FindStringSubmatch(config)[1]
	config = pathLine.ReplaceAllLiteralString(config, indent+"path: "+root)
	name, dest := topField(t, config, "name"), topField(t, config, "destination")
	dir := filepath.Join(tmp, "custom")
	writeFile(t, filepath.Join(dir, ".custom-gcl.yml"), config)

	// golangci-lint itself, to run `golangci-lint custom`; -mod=mod lets
	// go add what go.sum lacks, -trimpath makes the packages built in the
	// clone's temporary directory the same from one run to the next, so
	// that go's build cache keeps them.
	env := []string{"GOFLAGS=-mod=mod -trimpath -buildvcs=false", "TMPDIR=" + mkdir(t, tmp, "tmp")}
	bin := mkdir(t, tmp, "bin")
	goCmd(t, tmp, append(env, "GOBIN="+bin), "install", golangciLint+"/cmd/golangci-lint@"+golangciVersion)

	var mod struct{ Dir, Error string }
	out := goCmd(t, tmp, env, "mod", "download", "-json", golangciLint+"@"+golangciVersion)
	if err := json.Unmarshal([]byte(out), &mod); err != nil || mod.Dir == "" {
		t.Fatalf("go mod download: %v %s\n%s", err, mod.Error, out)
	}
	src := filepath.Join(tmp, "golangci-lint")
	if err := os.CopyFS(src, os.DirFS(mod.Dir)); err != nil { // writable copies of the module cache's read-only files
		t.Fatal(err)
	}
	gitEnv := []string{"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=" + os.DevNull,
		"GIT_AUTHOR_NAME=connleak", "GIT_AUTHOR_EMAIL=connleak@example.com", "GIT_COMMITTER_NAME=connleak", "GIT_COMMITTER_EMAIL=connleak@example.com"}
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A", "-f"}, {"commit", "-q", "-m", golangciVersion}, {"tag", golangciVersion}} {
		command(t, src, gitEnv, "git", args...)
	}

	repo := url.URL{Scheme: "file", Path: filepath.ToSlash(src)}
	env = append(env, "GIT_CONFIG_COUNT=1",
		"GIT_CONFIG_KEY_0=url."+repo.String()+".insteadOf",
		"GIT_CONFIG_VALUE_0=https://github.com/golangci/golangci-lint.git")
	command(t, dir, env, filepath.Join(bin, "golangci-lint"), "custom")
	custom := filepath.Join(dir, dest, name)
	if _, err := os.Stat(custom); err != nil {
		t.Fatalf("golangci-lint custom built no custom-gcl where .custom-gcl.yml says: %v", err)
	}
	return custom
}

// topField returns the value of the top-level field key of a YAML config
// that sets it on a line of its own, as .custom-gcl.yml does name and
// destination.
func topField(t *testing.T, config, key string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + key + `: (\S+)$`).FindStringSubmatch(config)
	if m == nil {
		t.Fatalf(".custom-gcl.yml sets no %s:\n%s", key, config)
	}
	return m[1]
}

// lint copies the module in testdata with .golangci.yml config to a
// directory of its own, runs the custom golangci-lint there on the
// pattern, and returns what it wrote and its exit code.
func lint(t *testing.T, custom, cache, config, pattern string) (string, int) {
	t.Helper()
	return lintIn(t, custom, cache, copyModule(t, "testdata", config), pattern)
}

// lintIn runs the custom golangci-lint in dir on the pattern, its findings
// as JSON, and returns what it wrote to stdout and stderr, and its exit
// code.
func lintIn(t *testing.T, custom, cache, dir, pattern string) (string, int) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), custom, "run", "--output.json.path=stdout", "--show-stats=false", pattern)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOLANGCI_LINT_CACHE="+cache, "GOFLAGS=-mod=mod")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("%s: %v", cmd, err)
	}
	return string(out), cmd.ProcessState.ExitCode()
}

// findings returns golangci-lint's findings from its JSON output, each as
// "file:line check", in file order.
func findings(t *testing.T, out string) []string {
	t.Helper()
	i := strings.Index(out, `{"Issues":`)
	if i < 0 {
		t.Fatalf("no JSON report in golangci-lint's output:\n%s", out)
	}
	var report struct {
		Issues []struct {
			FromLinter, Text string
			Pos              struct {
				Filename string
				Line     int
			}
		}
	}
	if err := json.NewDecoder(strings.NewReader(out[i:])).Decode(&report); err != nil {
		t.Fatalf("golangci-lint's JSON: %v\n%s", err, out)
	}
	check := regexp.MustCompile(` \[([a-z-]+)\]$`)
	var got []string
	for _, is := range report.Issues {
		m := check.FindStringSubmatch(is.Text)
		if is.FromLinter != "connleak" || m == nil {
			t.Errorf("finding %+v: want linter connleak and a message ending in its check's id", is)
			continue
		}
		got = append(got, fmt.Sprintf("%s:%d %s", filepath.ToSlash(is.Pos.Filename), is.Pos.Line, m[1]))
	}
	slices.Sort(got)
	return got
}

// wantFindings returns the findings the module in dir expects, each
// "file:line check" for a line that ends in a comment "finding: check",
// sorted. It checks that there is one at least for every check of
// vet.Checks(), and none for a check that is not there.
func wantFindings(t *testing.T, dir string) []string {
	t.Helper()
	mark := regexp.MustCompile(`// finding: ([a-z-]+)$`)
	var want []string
	seen := map[string]bool{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		rel, _ := filepath.Rel(dir, path)
		sc := bufio.NewScanner(f)
		for line := 1; sc.Scan(); line++ {
			if m := mark.FindStringSubmatch(sc.Text()); m != nil {
				want = append(want, fmt.Sprintf("%s:%d %s", filepath.ToSlash(rel), line, m[1]))
				seen[m[1]] = true
			}
		}
		return sc.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range vet.Checks() {
		if !seen[c.ID] {
			t.Errorf("testdata has no case of check %s: add one, its line ending in // finding: %s", c.ID, c.ID)
		}
		delete(seen, c.ID)
	}
	for id := range seen {
		t.Errorf("testdata has a case of check %s, which vet.Checks() does not hold", id)
	}
	slices.Sort(want)
	return want
}

// withSettings returns the .golangci.yml config with the plugin's settings
// set to the YAML settings, on the line below its `type: module`.
func withSettings(t *testing.T, config, settings string) string {
	t.Helper()
	typeLine := regexp.MustCompile(`(?m)^(\s+)type: module\n`)
	m := typeLine.FindStringSubmatch(config)
	if m == nil || len(typeLine.FindAllString(config, -1)) != 1 {
		t.Fatalf(".golangci.yml has no one line `type: module`:\n%s", config)
	}
	return strings.Replace(config, m[0], m[0]+m[1]+"settings:\n"+m[1]+"  "+settings+"\n", 1)
}

// copyModule copies the module in dir to a temporary directory, with the
// .golangci.yml config, and returns the directory.
func copyModule(t *testing.T, dir, config string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "m")
	if err := os.CopyFS(dst, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dst, ".golangci.yml"), config)
	return dst
}

// goCmd runs go with args and returns its stdout.
func goCmd(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	return command(t, dir, env, "go", args...)
}

// command runs name with args in dir, with env added to the test's, and
// returns its stdout; it fails the test if the command fails.
func command(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), name, args...)
	cmd.Dir = dir
	cmd.Env = append(withoutGitConfig(os.Environ()), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s%s", cmd, err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.String()
}

// withoutGitConfig returns env without the GIT_CONFIG_ variables that
// would number configuration entries, so that the test's are the only ones.
func withoutGitConfig(env []string) []string {
	return slices.DeleteFunc(slices.Clone(env), func(kv string) bool {
		return strings.HasPrefix(kv, "GIT_CONFIG_COUNT=") || strings.HasPrefix(kv, "GIT_CONFIG_KEY_") || strings.HasPrefix(kv, "GIT_CONFIG_VALUE_")
	})
}

func mkdir(t *testing.T, parent, name string) string {
	t.Helper()
	dir := filepath.Join(parent, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
