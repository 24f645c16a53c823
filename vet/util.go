package vet

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/types/typeutil"
)

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// isNamed reports whether t, or what it points to, is the named type
// pkgPath.name.
func isNamed(t types.Type, pkgPath, name string) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == pkgPath && n.Obj().Name() == name
}

// hasKey reports whether the composite literal sets one of the fields.
func hasKey(lit *ast.CompositeLit, fields ...string) bool {
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

// keyValue is the value the composite literal gives field, or nil.
func keyValue(lit *ast.CompositeLit, field string) ast.Expr {
	for _, e := range lit.Elts {
		if kv, ok := e.(*ast.KeyValueExpr); ok {
			if id, ok := kv.Key.(*ast.Ident); ok && id.Name == field {
				return kv.Value
			}
		}
	}
	return nil
}

// importsTime reports whether the file of pos imports "time" by that name,
// so that a suggested fix may write time.Second.
func importsTime(pass *analysis.Pass, file *ast.File) bool {
	for _, imp := range file.Imports {
		if imp.Path.Value == `"time"` && (imp.Name == nil || imp.Name.Name == "time") {
			return true
		}
	}
	return false
}

// addField is the suggested fix that adds `field: value` to lit, and
// imports "time" where the file does not.
func addField(pass *analysis.Pass, lit *ast.CompositeLit, field, value, message string) []analysis.SuggestedFix {
	file := fileOf(pass, lit.Pos())
	if file == nil {
		return nil
	}
	var imports []analysis.TextEdit
	if !importsTime(pass, file) {
		edit, ok := importTime(file)
		if !ok {
			return nil // a time imported under another name: leave it to the user
		}
		imports = append(imports, edit)
	}
	text := field + ": " + value
	pos := lit.Rbrace
	switch {
	case len(lit.Elts) == 0:
	case pass.Fset.Position(lit.Elts[len(lit.Elts)-1].End()).Line == pass.Fset.Position(lit.Rbrace).Line:
		text = ", " + text
		pos = lit.Elts[len(lit.Elts)-1].End()
	default: // one field a line, the closing brace on its own
		text += ",\n"
		pos = lit.Rbrace
	}
	return []analysis.SuggestedFix{{Message: message, TextEdits: append(imports, analysis.TextEdit{Pos: pos, End: pos, NewText: []byte(text)})}}
}

// importTime is the edit that imports "time" into file: into its first
// import block, or after its package clause; false where the file imports
// time under another name.
func importTime(file *ast.File) (analysis.TextEdit, bool) {
	for _, imp := range file.Imports {
		if imp.Path.Value == `"time"` {
			return analysis.TextEdit{}, false
		}
	}
	for _, d := range file.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT && g.Lparen.IsValid() {
			return analysis.TextEdit{Pos: g.Lparen + 1, End: g.Lparen + 1, NewText: []byte("\n\t\"time\"")}, true
		}
	}
	end := file.Name.End()
	return analysis.TextEdit{Pos: end, End: end, NewText: []byte("\n\nimport \"time\"")}, true
}

// typeutilCallee is the function or method a call calls, if static.
func typeutilCallee(pass *analysis.Pass, call *ast.CallExpr) types.Object {
	return typeutil.Callee(pass.TypesInfo, call)
}
