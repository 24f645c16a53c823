package analysisutil

import (
	"go/ast"
	"go/token"
	"reflect"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// directive silences one finding: on its line, or the line above.
const directive = "//connleak:ignore "

// Directives indexes a package's //connleak:ignore directives, once
// for all the checks that report in it: each report then looks up two lines
// instead of reading every comment of its file again. Every analyzer that
// calls Report requires it.
var Directives = &analysis.Analyzer{
	Name:       "connleakignore",
	Doc:        "index the //connleak:ignore directives of a package",
	Run:        runIgnoreDirectives,
	ResultType: reflect.TypeFor[directives](),
}

// directives holds, for each line of a file that carries a directive with
// its reason, the checks it names.
type directives map[fileLine][]string

// fileLine is a line of a file, as Fset.Position gives it.
type fileLine struct {
	file string
	line int
}

func runIgnoreDirectives(pass *analysis.Pass) (any, error) {
	index := directives{}
	for _, f := range pass.Files {
		for _, cg := range f.Comments {
			for _, c := range cg.List {
				rest, ok := strings.CutPrefix(c.Text, directive)
				if !ok {
					continue
				}
				fields := strings.Fields(rest)
				if len(fields) < 2 { // a directive needs its reason
					continue
				}
				pos := pass.Fset.Position(c.Slash)
				key := fileLine{pos.Filename, pos.Line}
				check := fields[0]
				if now, ok := aliases[check]; ok {
					check = now
				}
				index[key] = append(index[key], check)
			}
		}
	}
	return index, nil
}

// Report reports a finding of check at pos unless a directive silences it.
func Report(pass *analysis.Pass, check string, pos token.Pos, fixes []analysis.SuggestedFix, format string, args ...any) {
	if ignored(pass, check, pos) {
		return
	}
	msg := sprintf(format, args...) + " [" + check + "]"
	pass.Report(analysis.Diagnostic{Pos: pos, Category: check, Message: msg, URL: DocBase + check, SuggestedFixes: fixes})
}

// ignored reports whether a //connleak:ignore directive for check stands on
// pos's line or the line above, with a reason.
func ignored(pass *analysis.Pass, check string, pos token.Pos) bool {
	index := pass.ResultOf[Directives].(directives)
	p := pass.Fset.Position(pos)
	for _, line := range []int{p.Line, p.Line - 1} {
		for _, c := range index[fileLine{p.Filename, line}] {
			if c == check {
				return true
			}
		}
	}
	return false
}

func fileOf(pass *analysis.Pass, pos token.Pos) *ast.File {
	for _, f := range pass.Files {
		if f.FileStart <= pos && pos <= f.FileEnd {
			return f
		}
	}
	return nil
}
