package vet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/format"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"golang.org/x/tools/go/packages"
)

// A fix is a finding's first suggested fix, as edits of files on disk.
type fix struct {
	of    finding
	at    string // the finding's file:line:col [check], as a message names it
	pkg   *packages.Package
	edits []edit
	why   string // why it is not applied, or "" while it may be
}

// An edit replaces the bytes [start, end) of a file of size bytes with
// text.
type edit struct {
	file       string
	size       int
	start, end int
	text       string
}

// A change is the new content of a file, and the old one, to put back.
type change struct {
	file     string
	old, new []byte
}

// newFix is f's suggested fix in the files as they are on disk, and why it
// may not be applied: an edit into a file whose positions a //line
// directive maps elsewhere (cgo's generated files are such) would land in
// the wrong place, and only the main module's own, hand-written files are
// connleak's to rewrite.
func newFix(f finding, wd string) *fix {
	x := &fix{of: f, at: f.pos.String() + " [" + f.Category + "]", pkg: f.pkg}
	fset := f.pkg.Fset
	for _, te := range f.SuggestedFixes[0].TextEdits {
		end := te.End
		if !end.IsValid() {
			end = te.Pos
		}
		start, stop := fset.PositionFor(te.Pos, false), fset.PositionFor(end, false)
		name := relative(wd, start.Filename)
		mod := f.pkg.Module
		switch {
		case x.why != "":
		case fset.PositionFor(te.Pos, true) != start || fset.PositionFor(end, true) != stop:
			x.why = fmt.Sprintf("%s has //line directives (as cgo's generated files do), so the edit's place is not sure", name)
		case mod == nil || !mod.Main:
			x.why = fmt.Sprintf("package %s is not in the main module", f.pkg.PkgPath)
		case !isWithin(mod.Dir, start.Filename):
			x.why = fmt.Sprintf("%s is outside the main module's directory", name)
		case isGenerated(f.pkg, start.Filename):
			x.why = fmt.Sprintf("%s is generated (Code generated ... DO NOT EDIT)", name)
		}
		size := fset.File(te.Pos).Size()
		x.edits = append(x.edits, edit{start.Filename, size, start.Offset, stop.Offset, string(te.NewText)})
	}
	return x
}

// isWithin reports whether the file is in the directory dir or below it.
func isWithin(dir, file string) bool {
	rel, err := filepath.Rel(dir, file)
	return err == nil && filepath.IsLocal(rel)
}

// isGenerated reports whether pkg's file of that name says it is generated.
func isGenerated(pkg *packages.Package, name string) bool {
	for _, f := range pkg.Syntax {
		if pkg.Fset.File(f.FileStart).Name() == name {
			return ast.IsGenerated(f)
		}
	}
	return false
}

// applyFixes applies the suggested fixes of the findings that may be
// applied, and records in res which it applied, which files it wrote, and
// why it left each of the others. Fixes whose edits overlap another's are
// left for a later run; identical edits, such as two fixes' import of time,
// are made once. A package whose files do not type-check with the fixes
// gets none of them. It writes every file or none, and its error says why
// none: res then says why each fix it ruled out was, and applies none.
func applyFixes(ctx context.Context, findings []finding, wd string, res *Result) error {
	var fixes []*fix
	for _, f := range findings {
		if len(f.SuggestedFixes) > 0 {
			fixes = append(fixes, newFix(f, wd))
		}
	}
	if len(fixes) == 0 {
		return nil
	}
	dropConflicts(fixes)
	changes, err := plan(ctx, fixes, wd)
	if err != nil {
		return err
	}
	err = writeAll(changes, rewrite)
	for _, x := range fixes {
		res.Fixes = append(res.Fixes, Fix{Finding: x.of.finding(), Applied: x.why == "" && err == nil, Why: x.why})
	}
	if err != nil {
		return err
	}
	for _, c := range changes {
		res.Written = append(res.Written, relative(wd, c.file))
	}
	return nil
}

// dropConflicts rules out each fix with an edit that overlaps, or touches,
// a different edit of an earlier fix.
func dropConflicts(fixes []*fix) {
	var taken []edit
	for i, x := range fixes {
		if x.why != "" {
			continue
		}
		for _, e := range x.edits {
			for _, t := range taken {
				if e != t && e.file == t.file && e.start <= t.end && t.start <= e.end {
					x.why = "it overlaps the fix of " + conflicting(fixes[:i], t) + "; run -fix again for it"
				}
			}
		}
		if x.why == "" {
			taken = append(taken, x.edits...)
		}
	}
}

// conflicting is the position of the fix, among fixes, that makes edit e.
func conflicting(fixes []*fix, e edit) string {
	for _, x := range fixes {
		if x.why == "" && slices.Contains(x.edits, e) {
			return x.at
		}
	}
	return "another finding"
}

// plan is the changes the fixes not ruled out make, once every package
// they touch type-checks with them: it rules out the fixes of a package
// that does not, or of a file that has changed since it was loaded or does
// not parse with them, and plans again.
func plan(ctx context.Context, fixes []*fix, wd string) ([]change, error) {
	for {
		byFile := map[string][]edit{}
		for _, x := range fixes {
			if x.why != "" {
				continue
			}
			for _, e := range x.edits {
				if !slices.Contains(byFile[e.file], e) {
					byFile[e.file] = append(byFile[e.file], e)
				}
			}
		}
		var changes []change
		broken := map[string]string{} // why, by file
		for _, file := range slices.Sorted(maps.Keys(byFile)) {
			c, err := edited(file, byFile[file])
			if err != nil {
				broken[file] = err.Error()
				continue
			}
			changes = append(changes, c)
		}
		if len(broken) == 0 && len(changes) > 0 {
			bad, err := badPackages(ctx, changes, wd)
			if err != nil {
				return nil, err
			}
			for _, pkg := range bad {
				why := fmt.Sprintf("with the fixes, package %s does not type-check: %s", pkg.ID, firstError(pkg, wd))
				for _, f := range pkg.GoFiles {
					if _, ok := broken[f]; !ok {
						broken[f] = why
					}
				}
			}
		}
		if len(broken) == 0 {
			return changes, nil
		}
		for _, x := range fixes {
			for _, e := range x.edits {
				if why, ok := broken[e.file]; ok && x.why == "" {
					x.why = why
				}
			}
		}
	}
}

// edited is the change the edits make to the file, formatted as gofmt
// would, keeping the file's byte order mark and CRLF line endings, which
// gofmt drops.
func edited(file string, edits []edit) (change, error) {
	old, err := os.ReadFile(file)
	if err != nil {
		return change{}, err
	}
	if len(old) != edits[0].size {
		return change{}, fmt.Errorf("%s has changed since it was loaded", filepath.Base(file))
	}
	src := slices.Clone(old)
	sort.Slice(edits, func(i, j int) bool { return edits[i].start > edits[j].start })
	for _, e := range edits {
		src = slices.Concat(src[:e.start], []byte(e.text), src[e.end:])
	}
	nl := bytes.IndexByte(old, '\n')
	src, err = gofmt(src, nl > 0 && old[nl-1] == '\r')
	if err != nil {
		return change{}, fmt.Errorf("with the fixes, %s does not parse: %v", filepath.Base(file), err)
	}
	return change{file, old, src}, nil
}

var bom = []byte("\ufeff")

// gofmt formats src as gofmt does, but keeps a byte order mark at its start
// and, where crlf, CRLF line endings: the file's, before it was edited.
func gofmt(src []byte, crlf bool) ([]byte, error) {
	hasBOM := bytes.HasPrefix(src, bom)
	src = bytes.TrimPrefix(src, bom)
	if crlf {
		src = bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))
	}
	out, err := format.Source(src)
	if err != nil {
		return nil, err
	}
	if crlf {
		out = bytes.ReplaceAll(out, []byte("\n"), []byte("\r\n"))
	}
	if hasBOM {
		out = slices.Concat(bom, out)
	}
	return out, nil
}

// badPackages loads the packages of the changed files again, with their
// new content laid over the files on disk, and returns those that do not
// load: that do not type-check, most likely. The go command resolves their
// imports anew, a fix's import of time among them, which net/http's export
// data alone does not describe. It loads from wd, as Run does.
func badPackages(ctx context.Context, changes []change, wd string) ([]*packages.Package, error) {
	overlay := map[string][]byte{}
	var dirs []string
	for _, c := range changes {
		overlay[c.file] = c.new
		if dir := filepath.Dir(c.file); !slices.Contains(dirs, dir) {
			dirs = append(dirs, dir)
		}
	}
	mode := packages.NeedName | packages.NeedFiles | packages.NeedImports | packages.NeedTypes | packages.NeedSyntax
	pkgs, err := packages.Load(&packages.Config{Context: ctx, Mode: mode, Tests: true, Overlay: overlay, Dir: wd}, dirs...)
	if err != nil {
		return nil, err
	}
	var bad []*packages.Package
	for _, p := range pkgs {
		if len(p.Errors) > 0 {
			bad = append(bad, p)
		}
	}
	return bad, nil
}

// firstError is the first of pkg's errors, on one line, its file relative
// to dir: the type checker's, where it has one, before the go command's,
// which builds the test variants too.
func firstError(pkg *packages.Package, dir string) string {
	e := pkg.Errors[0]
	if i := slices.IndexFunc(pkg.Errors, func(e packages.Error) bool { return e.Kind == packages.TypeError }); i >= 0 {
		e = pkg.Errors[i]
	}
	msg := strings.Join(strings.Fields(e.Msg), " ")
	if e.Pos == "" || e.Pos == "-" {
		return msg
	}
	return relative(dir, e.Pos) + ": " + msg
}

// writeAll makes the changes, every one or none. It opens every file for
// writing before it writes any, so that a file it may not write (read-only,
// say) stops it with nothing written; and where write fails midway, it
// puts back the files it wrote, that one included.
func writeAll(changes []change, write func(f *os.File, content []byte) error) error {
	var files []*os.File
	closeAll := func() {
		for _, f := range files {
			f.Close()
		}
	}
	for _, c := range changes {
		f, err := os.OpenFile(c.file, os.O_WRONLY, 0)
		if err != nil {
			closeAll()
			return fmt.Errorf("wrote no file: %w", err)
		}
		files = append(files, f)
	}
	for i, c := range changes {
		if err := write(files[i], c.new); err != nil {
			var failed []error
			for j := i; j >= 0; j-- {
				if err := write(files[j], changes[j].old); err != nil {
					failed = append(failed, err)
				}
			}
			closeAll()
			if len(failed) > 0 {
				return fmt.Errorf("%w; putting back the files written before it: %w", err, errors.Join(failed...))
			}
			return fmt.Errorf("wrote no file: %w (the files written before it are put back)", err)
		}
	}
	var errs []error
	for _, f := range files {
		errs = append(errs, f.Close())
	}
	return errors.Join(errs...)
}

// rewrite replaces the content of f, a file open for writing.
func rewrite(f *os.File, content []byte) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.WriteAt(content, 0)
	return err
}
