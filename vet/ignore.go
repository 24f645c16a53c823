package vet

import (
	"go/ast"
	"go/token"
	"strings"

	"golang.org/x/tools/go/analysis"

	"connleak/scenario"
)

// directive silences one finding: on its line, or the line above.
const directive = "//connleak:ignore "

// report reports a finding of check at pos unless a directive silences it.
func report(pass *analysis.Pass, check string, pos token.Pos, fixes []analysis.SuggestedFix, format string, args ...any) {
	if ignored(pass, check, pos) {
		return
	}
	msg := sprintf(format, args...)
	if s, ok := scenario.ForCheck(check); ok {
		msg += " (the lab shows it: connleak demo -scenarios " + s.Name + ")"
	}
	pass.Report(analysis.Diagnostic{Pos: pos, Category: check, Message: msg + " [" + check + "]", SuggestedFixes: fixes})
}

// ignored reports whether a //connleak:ignore directive for check stands on
// pos's line or the line above, with a reason.
func ignored(pass *analysis.Pass, check string, pos token.Pos) bool {
	file := fileOf(pass, pos)
	if file == nil {
		return false
	}
	line := pass.Fset.Position(pos).Line
	for _, cg := range file.Comments {
		for _, c := range cg.List {
			rest, ok := strings.CutPrefix(c.Text, directive)
			if !ok {
				continue
			}
			fields := strings.Fields(rest)
			if len(fields) < 2 || fields[0] != check { // a directive needs its reason
				continue
			}
			if l := pass.Fset.Position(c.Slash).Line; l == line || l == line-1 {
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
