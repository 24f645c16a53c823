package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// VetConfig says how Vet runs.
type VetConfig struct {
	Exe       string // the connleak binary: connleak vet, and go vet's -vettool
	Module    string // a directory of the module to measure; its ./... is vetted
	Dir       string // where Vet copies the module, to edit its copy and not the module
	BodyClose string // a bodyclose binary; "" leaves bodyclose out
	Rounds    int    // timed runs of each command in each state, interleaved
	Log       io.Writer
}

// VetState is the state of the module's copy before each timed run.
type VetState int

const (
	// Cached: nothing changed since the run before; go vet answers from its
	// cache of results.
	Cached VetState = iota
	// EditedInside: a new value of an unexported constant in one file of the
	// bottom package before each run: the go command compiles that package
	// and its direct importers again, and go vet checks them again, but the
	// importers' export data does not change, so it stops there.
	EditedInside
	// EditedAPI: a new value of an exported constant there: every package
	// that imports it, directly or not, is compiled and checked again.
	EditedAPI
	vetStates
)

// String is the state as the table's header says it.
func (s VetState) String() string {
	return [...]string{"CACHED", "EDIT INSIDE", "EDIT OF ITS API"}[s]
}

// Spread is the median of a command's timed runs, with their fastest and
// slowest.
type Spread struct {
	Median, Min, Max time.Duration
}

// VetRow is one command, as run in the module's copy.
type VetRow struct {
	Command  string // as the table shows it
	Findings int    // what it reported: diagnostics, counted from its -json output
	Times    [vetStates]Spread
}

// VetResult is what Vet measured.
type VetResult struct {
	Module    string // the module's path
	Packages  int    // the packages ./... matches
	Edited    string // the bottom package, which the edits change
	EditFile  string // the file edited, relative to the module's root
	Importers int    // the module's packages that import Edited, directly or not
	BodyClose string // bodyclose's module and version, "" where not measured
	Rounds    int
	Rows      []VetRow // go vet ./... first: the others' ratios are to it
}

// A vetCommand is one of the commands Vet times.
type vetCommand struct {
	show     string   // as the table shows it
	argv     []string // as it runs
	check    []string // the same with -json, run once first: see checkRun
	findings int      // the exit status that means findings, besides 0
}

// Vet copies the module cfg.Module is in to cfg.Dir and times, in that
// copy, on its ./...: go vet (the baseline), connleak vet (its own
// driver), go vet -vettool=connleak (unitchecker under go vet) and, given
// a binary, bodyclose under go vet and on its own. Each command runs once
// with -json first, which must succeed (and counts its findings), and once
// untimed, to warm the caches; then cfg.Rounds timed runs each, interleaved,
// in each VetState. A command that fails, or exits otherwise than in its
// untimed run, stops Vet with its standard error.
func Vet(ctx context.Context, cfg VetConfig) (VetResult, error) {
	r := VetResult{Rounds: cfg.Rounds}
	root, err := moduleRoot(ctx, cfg.Module)
	if err != nil {
		return r, err
	}
	dir := filepath.Join(cfg.Dir, "module")
	if err := copyTree(root, dir); err != nil {
		return r, fmt.Errorf("copy the module: %w", err)
	}
	if err := bottomPackage(ctx, dir, &r); err != nil {
		return r, err
	}
	cmds := vetCommands(cfg, &r)
	warm := make([]int, len(cmds))
	for i, c := range cmds {
		n, err := checkRun(ctx, dir, c.check)
		if err != nil {
			return r, err
		}
		r.Rows = append(r.Rows, VetRow{Command: c.show, Findings: n})
		run, err := runIn(ctx, dir, c.argv)
		if err != nil {
			return r, err
		}
		if run.code != 0 && run.code != c.findings {
			return r, run.failed(c.show, "")
		}
		warm[i] = run.code
	}
	return r, timeVet(ctx, cfg, dir, cmds, warm, &r)
}

// vetCommands is what Vet times: go vet, connleak vet and go vet with
// connleak as its tool, and bodyclose's two where cfg names it.
func vetCommands(cfg VetConfig, r *VetResult) []vetCommand {
	cmds := []vetCommand{
		{"go vet ./...", []string{"go", "vet", "./..."}, []string{"go", "vet", "-json", "./..."}, 1},
		{"connleak vet ./...", []string{cfg.Exe, "vet", "./..."}, []string{cfg.Exe, "vet", "-json", "./..."}, 1},
		{"go vet -vettool=connleak ./...", []string{"go", "vet", "-vettool=" + cfg.Exe, "./..."}, []string{"go", "vet", "-json", "-vettool=" + cfg.Exe, "./..."}, 1},
	}
	if cfg.BodyClose != "" {
		r.BodyClose = peerName(cfg.BodyClose)
		cmds = append(cmds,
			vetCommand{"go vet -vettool=bodyclose ./...", []string{"go", "vet", "-vettool=" + cfg.BodyClose, "./..."}, []string{"go", "vet", "-json", "-vettool=" + cfg.BodyClose, "./..."}, 1},
			vetCommand{"bodyclose ./...", []string{cfg.BodyClose, "./..."}, []string{cfg.BodyClose, "-json", "./..."}, 3}) // singlechecker's status for findings
	}
	return cmds
}

// timeVet times cmds in dir, cfg.Rounds runs each, interleaved, in each
// state, each run to exit as its untimed one did (warm), and notes the
// spreads in r's rows. It edits the file r names before each run but
// those of the cached state.
func timeVet(ctx context.Context, cfg VetConfig, dir string, cmds []vetCommand, warm []int, r *VetResult) error {
	edited := filepath.Join(dir, r.EditFile)
	original, err := os.ReadFile(edited)
	if err != nil {
		return err
	}
	seq := 0
	for state := range vetStates {
		took := make([][]time.Duration, len(cmds))
		for round := range cfg.Rounds {
			for i, c := range cmds {
				if state != Cached {
					seq++
					if err := os.WriteFile(edited, editOf(original, state, seq), 0o644); err != nil {
						return err
					}
				}
				run, err := runIn(ctx, dir, c.argv)
				if err != nil {
					return err
				}
				if run.code != warm[i] {
					return run.failed(c.show, fmt.Sprintf(" (%d untimed)", warm[i]))
				}
				took[i] = append(took[i], run.took)
				if cfg.Log != nil {
					fmt.Fprintf(cfg.Log, "vet %s round %d/%d %-34s %s\n", strings.ToLower(state.String()), round+1, cfg.Rounds, c.show, millis(run.took, 0))
				}
			}
		}
		for i := range cmds {
			r.Rows[i].Times[state] = Spread{medianOf(took[i]), slices.Min(took[i]), slices.Max(took[i])}
		}
	}
	return nil
}

// editOf is the file's content with one constant more, whose value is
// seq: unexported for EditedInside, exported for EditedAPI.
func editOf(original []byte, state VetState, seq int) []byte {
	name := "connleakBenchEdit"
	if state == EditedAPI {
		name = "ConnleakBenchEdit"
	}
	return fmt.Appendf(slices.Clip(original), "\n// %s is connleak bench's edit, a new value before each run.\nconst %[1]s = %d\n", name, seq)
}

// moduleRoot is the root of the module dir is in.
func moduleRoot(ctx context.Context, dir string) (string, error) {
	run, err := runIn(ctx, dir, []string{"go", "env", "GOMOD"})
	if err != nil {
		return "", err
	}
	gomod := strings.TrimSpace(string(run.stdout))
	if run.code != 0 || gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("vet benchmark: %s is not in a Go module", dir)
	}
	return filepath.Dir(gomod), nil
}

// copyTree copies the directory src to dst: its regular files, with their
// permissions, and its symbolic links as they are, leaving out the
// directories whose names start with a dot (.git), which go ignores.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		switch {
		case d.IsDir() && rel != "." && strings.HasPrefix(d.Name(), "."), d.IsDir() && path == dst:
			return filepath.SkipDir
		case d.IsDir():
			return os.MkdirAll(to, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(link, to)
		case !d.Type().IsRegular():
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return copyFile(path, to, info.Mode().Perm()|0o200) // writable: the edits write one
	})
}

// copyFile copies the file src to a new file dst.
func copyFile(src, dst string, perm fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// bottomPackage fills in r's module, packages and edit: the package of
// ./... that most of the others import, directly or not (the first in
// import path order among equals), and its first Go file.
func bottomPackage(ctx context.Context, dir string, r *VetResult) error {
	run, err := runIn(ctx, dir, []string{"go", "list", "-json=ImportPath,Dir,GoFiles,Deps,Module", "./..."})
	if err != nil {
		return err
	}
	if run.code != 0 {
		return run.failed("go list ./...", "")
	}
	type pkg struct {
		ImportPath, Dir string
		GoFiles, Deps   []string
		Module          *struct{ Path, Dir string }
	}
	var pkgs []pkg
	for d := json.NewDecoder(bytes.NewReader(run.stdout)); ; {
		var p pkg
		if err := d.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			return fmt.Errorf("go list ./...: %w", err)
		}
		pkgs = append(pkgs, p)
	}
	importers := map[string]int{}
	for _, p := range pkgs {
		for _, dep := range p.Deps {
			importers[dep]++
		}
	}
	best := -1
	for i, p := range pkgs {
		if len(p.GoFiles) > 0 && (best < 0 || importers[p.ImportPath] > importers[pkgs[best].ImportPath] ||
			importers[p.ImportPath] == importers[pkgs[best].ImportPath] && p.ImportPath < pkgs[best].ImportPath) {
			best = i
		}
	}
	if best < 0 {
		return errors.New("vet benchmark: ./... has no package with a Go file to edit")
	}
	b := pkgs[best]
	r.Packages, r.Edited, r.Importers = len(pkgs), b.ImportPath, importers[b.ImportPath]
	if b.Module != nil {
		r.Module = b.Module.Path
		if rel, err := filepath.Rel(b.Module.Dir, filepath.Join(b.Dir, b.GoFiles[0])); err == nil {
			r.EditFile = rel
		}
	}
	if r.EditFile == "" {
		return fmt.Errorf("vet benchmark: %s is not in the module", b.ImportPath)
	}
	return nil
}

// checkRun runs a command with -json once and counts the findings it
// reports: go vet's and bodyclose's JSON (an object of packages, of
// analyzers, of diagnostics, the packages' names on lines of their own
// between) or connleak vet's (a finding a line). It must exit 0, or, for
// connleak vet, 1 with findings: go vet exits 1 for findings and for
// packages that do not build alike, but with -json only for the second.
func checkRun(ctx context.Context, dir string, argv []string) (int, error) {
	run, err := runIn(ctx, dir, argv)
	if err != nil {
		return 0, err
	}
	show := strings.Join(append([]string{filepath.Base(argv[0])}, argv[1:]...), " ")
	if argv[0] != "go" && len(argv) > 1 && argv[1] == "vet" { // connleak vet -json: an object a line
		if run.code != 0 && run.code != 1 {
			return 0, run.failed(show, "")
		}
		return bytes.Count(run.stdout, []byte("\n")), nil
	}
	if run.code != 0 {
		return 0, run.failed(show, "")
	}
	var out []byte
	for line := range bytes.Lines(append(run.stdout, run.stderr...)) {
		if !bytes.HasPrefix(line, []byte("# ")) {
			out = append(out, line...)
		}
	}
	n := 0
	for d := json.NewDecoder(bytes.NewReader(out)); ; {
		var pkgs map[string]map[string]json.RawMessage
		if err := d.Decode(&pkgs); err == io.EOF {
			return n, nil
		} else if err != nil {
			return 0, fmt.Errorf("%s: its output: %w", show, err)
		}
		for pkg, analyzers := range pkgs {
			for name, raw := range analyzers {
				var diags []json.RawMessage
				if err := json.Unmarshal(raw, &diags); err != nil {
					return 0, fmt.Errorf("%s: %s: %s: %s", show, pkg, name, raw) // {"error": ...}
				}
				n += len(diags)
			}
		}
	}
}

// A vetRun is what one command did.
type vetRun struct {
	took           time.Duration
	code           int
	stdout, stderr []byte
}

// failed is the error for a run that exited as it should not have, with
// the end of its standard error.
func (r vetRun) failed(show, note string) error {
	stderr := bytes.TrimSpace(r.stderr)
	if len(stderr) > 4000 {
		stderr = append([]byte("..."), stderr[len(stderr)-4000:]...)
	}
	return fmt.Errorf("%s: exit status %d%s:\n%s", show, r.code, note, stderr)
}

// runIn runs argv in dir, outside any go.work, and returns its wall time,
// exit status and output; err is for a command that could not run.
func runIn(ctx context.Context, dir string, argv []string) (vetRun, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, &stdout, &stderr
	cmd.Env = append(os.Environ(), "GOWORK=off")
	start := time.Now()
	err := cmd.Run()
	r := vetRun{took: time.Since(start), stdout: stdout.Bytes(), stderr: stderr.Bytes()}
	var ee *exec.ExitError
	if errors.As(err, &ee) && ctx.Err() == nil {
		r.code, err = ee.ExitCode(), nil
	}
	if err != nil {
		return r, fmt.Errorf("%s: %w", strings.Join(argv, " "), err)
	}
	return r, nil
}

// WriteVet writes r as a table: each command's median time in each state,
// its fastest and slowest, and its ratio to go vet's in the same state.
func WriteVet(w io.Writer, r VetResult) error {
	_, err := fmt.Fprintf(w, "\nvet on ./... of %s (%d packages), in a copy, medians of %d interleaved runs (fastest-slowest):\n", r.Module, r.Packages, r.Rounds)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "COMMAND\tFINDINGS")
	for s := range vetStates {
		fmt.Fprintf(tw, "\t%s\tVS GO VET", s)
	}
	fmt.Fprintln(tw)
	for _, row := range r.Rows {
		fmt.Fprintf(tw, "%s\t%d", row.Command, row.Findings)
		for s, t := range row.Times {
			fmt.Fprintf(tw, "\t%s (%d-%d)\t%.2fx", millis(t.Median, 0), t.Min.Milliseconds(), t.Max.Milliseconds(),
				float64(t.Median)/float64(r.Rows[0].Times[s].Median))
		}
		fmt.Fprintln(tw)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	bc := "bodyclose: not measured (make bench installs it; connleak bench -bodyclose FILE runs it)"
	if r.BodyClose != "" {
		bc = "bodyclose: " + r.BodyClose
	}
	_, err = fmt.Fprintf(w, "CACHED: nothing changed since the run before. EDIT INSIDE: before each run, a new value of an unexported constant\n"+
		"in %s (package %s, which %d of the %d packages import): go vet checks it and its direct importers again.\n"+
		"EDIT OF ITS API: the same with an exported constant: it and all its importers are compiled and checked again.\n"+
		"connleak vet runs go vet -vettool=connleak (its -fix and -test=false check every package); bodyclose keeps no results: each run checks every package. %s.\n",
		r.EditFile, r.Edited, r.Importers, r.Packages, bc)
	return err
}
