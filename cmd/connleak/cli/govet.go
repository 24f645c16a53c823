package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/connleak/connleak/vet"
)

// goVet finds what vet.Run finds, through go vet with this binary as its
// -vettool: `connleak vet` without -fix or -test=false runs so, because
// go vet keeps each package's findings and facts in the build cache, and
// checks again only what an edit changed, where vet.Run, a library with no
// cache, loads and checks every package each time (docs/benchmarks.md has
// both). Its error says why go vet could not say, and vet.Run should: go
// vet failed (a package that does not build, patterns that match nothing;
// vet.Run's error says which in connleak's words), or wrote to its
// standard error anything but the go command's lines about fetching
// modules (goProgress), which go vet writes on a first run in a module
// whose dependencies are not yet downloaded; those it copies to progress.
func goVet(ctx context.Context, patterns []string, progress io.Writer) ([]vet.Finding, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	args := []string{"vet", "-vettool=" + exe, "-json"}
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "go", append(args, patterns...)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var other []string
	for line := range strings.Lines(stderr.String()) {
		if goProgress.MatchString(strings.TrimRight(line, "\r\n")) {
			io.WriteString(progress, line)
		} else {
			other = append(other, line)
		}
	}
	switch {
	case len(other) > 0:
		// The first line that says why, not go's "# PATH", which names
		// the package the lines that follow are of.
		why := other[0]
		if i := slices.IndexFunc(other, func(l string) bool { return !strings.HasPrefix(l, "# ") }); i >= 0 {
			why = other[i]
		}
		return nil, errors.New(quoted(why))
	case runErr != nil:
		return nil, runErr
	}
	return parseGoVet(&stdout, wd)
}

// goProgress matches a whole line that the go command writes on its
// standard error as it fetches modules, as cmd/go (go1.26) writes them: a
// module's download (modfetch), or a toolchain's, where go.mod asks for a
// newer Go; and, where -mod=mod lets it add a module for an import, its
// search (modload). None is an error.
var goProgress = regexp.MustCompile(`^go: (downloading \S+ v\S+|downloading go\S+ \(\S+/\S+\)|finding module for package \S+|found \S+ in \S+ v\S+)$`)

// quoted is a line of go vet's standard error as connleak vet quotes it:
// without the user and password of any URL in it (the go command names
// its module proxy, GOPROXY, in some errors, and the URL may carry them),
// and cut to 200 bytes.
func quoted(line string) string {
	line = userinfo.ReplaceAllString(strings.TrimSpace(line), "$1")
	if len(line) > 200 {
		line = strings.ToValidUTF8(line[:200], "") + "..."
	}
	return line
}

// userinfo matches a URL's scheme and user information, the user and any
// password, up to the @.
var userinfo = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\s]*@`)

// A goVetDiagnostic is one finding as go vet -json writes it.
type goVetDiagnostic struct {
	Category string `json:"category"`
	Posn     string `json:"posn"`
	Message  string `json:"message"`
}

// parseGoVet reads go vet -json's output, one object a package, each of
// the findings of every analyzer, into findings as vet.Run returns them:
// the file relative to wd where it is below it, each once (a package and
// its test variant report the same), in file order.
func parseGoVet(r io.Reader, wd string) ([]vet.Finding, error) {
	type at struct {
		file      string
		line, col int
	}
	var fs []vet.Finding
	var pos []at
	seen := map[string]bool{}
	dec := json.NewDecoder(r)
	for {
		var pkgs map[string]map[string]json.RawMessage
		if err := dec.Decode(&pkgs); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, err
		}
		for _, analyzers := range pkgs {
			for _, raw := range analyzers {
				var ds []goVetDiagnostic
				if err := json.Unmarshal(raw, &ds); err != nil {
					return nil, err // {"error": ...}: an analyzer failed
				}
				for _, d := range ds {
					file, line, col, err := splitPosn(d.Posn)
					if err != nil || d.Category == "" {
						return nil, errors.New("go vet -json: a finding without a position or a check: " + d.Posn)
					}
					if rel, err := filepath.Rel(wd, file); err == nil && filepath.IsLocal(rel) {
						file = rel
					}
					f := vet.Finding{Check: d.Category, Pos: file + ":" + strconv.Itoa(line) + ":" + strconv.Itoa(col), Message: d.Message}
					if seen[f.Pos+f.Message] {
						continue
					}
					seen[f.Pos+f.Message] = true
					fs = append(fs, f)
					pos = append(pos, at{file, line, col})
				}
			}
		}
	}
	order := make([]int, len(fs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int {
		a, b := pos[i], pos[j]
		if c := strings.Compare(a.file, b.file); c != 0 {
			return c
		}
		if a.line != b.line {
			return a.line - b.line
		}
		return a.col - b.col
	})
	sorted := make([]vet.Finding, len(fs))
	for i, k := range order {
		sorted[i] = fs[k]
	}
	return sorted, nil
}

// splitPosn splits file:line:col, the file possibly holding colons.
func splitPosn(posn string) (file string, line, col int, err error) {
	rest, c, ok := cutLast(posn)
	if !ok {
		return "", 0, 0, errors.New("no column")
	}
	file, l, ok := cutLast(rest)
	if !ok {
		return "", 0, 0, errors.New("no line")
	}
	if line, err = strconv.Atoi(l); err != nil {
		return "", 0, 0, err
	}
	if col, err = strconv.Atoi(c); err != nil {
		return "", 0, 0, err
	}
	return file, line, col, nil
}

func cutLast(s string) (before, after string, ok bool) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return "", "", false
	}
	return s[:i], s[i+1:], true
}
