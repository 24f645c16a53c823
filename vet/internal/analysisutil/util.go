// Package analysisutil holds what connleak's analyzers share: the check
// ids, reporting through //connleak:ignore directives, type tests, and the
// fixes that add a field.
package analysisutil

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strconv"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/types/typeutil"
)

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// IsNamed reports whether t, or what it points to, is the named type
// pkgPath.name.
func IsNamed(t types.Type, pkgPath, name string) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == pkgPath && n.Obj().Name() == name
}

// HasKey reports whether the composite literal sets one of the fields.
func HasKey(lit *ast.CompositeLit, fields ...string) bool {
	for _, e := range lit.Elts {
		kv, ok := e.(*ast.KeyValueExpr)
		if !ok {
			return true // positional: every field is set
		}
		if id, ok := kv.Key.(*ast.Ident); ok {
			for _, f := range fields {
				if id.Name == f {
					return true
				}
			}
		}
	}
	return false
}

// KeyValue is the value the composite literal gives field, or nil.
func KeyValue(lit *ast.CompositeLit, field string) ast.Expr {
	for _, e := range lit.Elts {
		if kv, ok := e.(*ast.KeyValueExpr); ok {
			if id, ok := kv.Key.(*ast.Ident); ok && id.Name == field {
				return kv.Value
			}
		}
	}
	return nil
}

// timeName is the name by which code at pos, in file, may refer to package
// time, and whether the fix must import it first: the name of an import of
// time that pos sees, or "time" where the file does not import time and
// nothing named time is in scope at pos. It is "" where neither holds: a
// parameter, a variable or a type named time hides the package, or the
// file imports time under a name that pos does not see.
func timeName(pass *analysis.Pass, file *ast.File, pos token.Pos) (name string, mustImport bool) {
	scope := pass.Pkg.Scope().Innermost(pos)
	if scope == nil {
		return "", false
	}
	imported := false
	for _, imp := range file.Imports {
		if path, _ := strconv.Unquote(imp.Path.Value); path != "time" {
			continue
		}
		imported = true
		name := "time"
		if imp.Name != nil {
			name = imp.Name.Name // "_" and "." resolve to nothing below
		}
		if _, obj := scope.LookupParent(name, pos); obj != nil {
			if pn, ok := obj.(*types.PkgName); ok && pn.Imported().Path() == "time" {
				return name, false
			}
		}
	}
	// The package scope is among pos's scopes: a package-level time, in
	// any file, would clash with the import; so would a file-level one.
	if _, obj := scope.LookupParent("time", pos); imported || obj != nil {
		return "", false
	}
	return "time", true
}

// AddField is the suggested fix that adds `field: value` to lit, value
// written with %s for the name of package time; it imports time where the
// file does not. There is no fix where the name time cannot be had (see
// timeName).
func AddField(pass *analysis.Pass, lit *ast.CompositeLit, field, value, message string) []analysis.SuggestedFix {
	file := fileOf(pass, lit.Pos())
	if file == nil {
		return nil
	}
	prefix, suffix, pos := "", "", lit.Rbrace
	switch {
	case len(lit.Elts) == 0:
	case pass.Fset.Position(lit.Elts[len(lit.Elts)-1].End()).Line == pass.Fset.Position(lit.Rbrace).Line:
		prefix, pos = ", ", lit.Elts[len(lit.Elts)-1].End()
	default: // one field a line, the closing brace on its own
		suffix = ",\n"
	}
	name, mustImport := timeName(pass, file, pos)
	if name == "" {
		return nil
	}
	text := prefix + field + ": " + sprintf(value, name) + suffix
	var edits []analysis.TextEdit
	if mustImport {
		edits = append(edits, importTime(file))
	}
	return []analysis.SuggestedFix{{Message: message, TextEdits: append(edits, analysis.TextEdit{Pos: pos, End: pos, NewText: []byte(text)})}}
}

// importTime is the edit that imports "time" into file: into its first
// import block, or after its package clause.
func importTime(file *ast.File) analysis.TextEdit {
	for _, d := range file.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT && g.Lparen.IsValid() {
			return analysis.TextEdit{Pos: g.Lparen + 1, End: g.Lparen + 1, NewText: []byte("\n\t\"time\"")}
		}
	}
	end := file.Name.End()
	return analysis.TextEdit{Pos: end, End: end, NewText: []byte("\n\nimport \"time\"")}
}

// Callee is the function or method a call calls, if static.
func Callee(pass *analysis.Pass, call *ast.CallExpr) types.Object {
	return typeutil.Callee(pass.TypesInfo, call)
}

// Enclosing is the innermost function around the top of stack, its body,
// and whether a loop of that function stands in between.
func Enclosing(stack []ast.Node) (fn ast.Node, body *ast.BlockStmt, inLoop bool) {
	for i := len(stack) - 2; i >= 0; i-- {
		switch s := stack[i].(type) {
		case *ast.ForStmt, *ast.RangeStmt:
			inLoop = true
		case *ast.FuncLit:
			return s, s.Body, inLoop
		case *ast.FuncDecl:
			return s, s.Body, inLoop
		}
	}
	return nil, nil, false
}
