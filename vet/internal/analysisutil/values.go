package analysisutil

import (
	"go/ast"
	"go/build"
	"go/constant"
	"go/token"
	"go/types"
	"path/filepath"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"
)

// Setting is what code gives a field of a Transport or a Server: a timeout
// or a switch.
type Setting int

const (
	// Unset: the field is absent, or its value is a constant zero,
	// negative or false: for net/http, the same as absent.
	Unset Setting = iota
	// Set: a constant other than those.
	Set
	// Trusted: a value known only at run time, trusted to be set.
	Trusted
)

// ValueSetting is what the expression e gives a field, read from its
// constant value (go/constant), not from its spelling: `keep` with
// `const keep = true` is Set, `0 * time.Second` is Unset.
func ValueSetting(info *types.Info, e ast.Expr) Setting {
	if info == nil {
		return Trusted
	}
	tv, ok := info.Types[e]
	if !ok || tv.Value == nil {
		return Trusted
	}
	switch v := tv.Value; v.Kind() {
	case constant.Bool:
		if constant.BoolVal(v) {
			return Set
		}
		return Unset
	case constant.Int, constant.Float:
		if constant.Sign(v) <= 0 {
			return Unset
		}
		return Set
	case constant.Unknown:
		return Trusted
	}
	return Set
}

// FieldSetting is what the composite literal gives field: Unset where it
// is absent; Trusted for a literal without keys, which sets every field.
func FieldSetting(info *types.Info, lit *ast.CompositeLit, field string) Setting {
	for _, e := range lit.Elts {
		if _, ok := e.(*ast.KeyValueExpr); !ok {
			return Trusted // positional: every field is set
		}
	}
	v := KeyValue(lit, field)
	if v == nil {
		return Unset
	}
	return ValueSetting(info, v)
}

// A FieldAssign is an assignment to a field of a variable: v.Field = Value.
type FieldAssign struct {
	Field string
	Value ast.Expr
	Stmt  *ast.AssignStmt
}

// FieldAssignments indexes, by variable, the assignments `v.F = e` of the
// package's files, v a variable named directly: what later statements set
// on a literal bound to v.
func FieldAssignments(ins *inspector.Inspector, info *types.Info) map[*types.Var][]FieldAssign {
	index := map[*types.Var][]FieldAssign{}
	ins.Preorder([]ast.Node{(*ast.AssignStmt)(nil)}, func(n ast.Node) {
		a := n.(*ast.AssignStmt)
		if a.Tok != token.ASSIGN || len(a.Lhs) != len(a.Rhs) {
			return
		}
		for i, lhs := range a.Lhs {
			sel, ok := ast.Unparen(lhs).(*ast.SelectorExpr)
			if !ok {
				continue
			}
			id, ok := ast.Unparen(sel.X).(*ast.Ident)
			if !ok {
				continue
			}
			if v, ok := info.Uses[id].(*types.Var); ok && !v.IsField() {
				index[v] = append(index[v], FieldAssign{sel.Sel.Name, a.Rhs[i], a})
			}
		}
	})
	return index
}

// BoundVar is the variable the expression on top of stack is bound to,
// through parentheses and &: v in `v := x`, `v = x` and `var v = x`;
// nil where it is not bound so.
func BoundVar(info *types.Info, stack []ast.Node) *types.Var {
	id, ok := BoundTo(stack).(*ast.Ident)
	if !ok {
		return nil
	}
	v, _ := info.ObjectOf(id).(*types.Var)
	return v
}

// BoundTo is what the expression on top of stack is assigned to, through
// parentheses and &: v in `v := x` and `var v = x`, h.f in `h.f = x`; nil
// where it is not assigned so.
func BoundTo(stack []ast.Node) ast.Expr {
	expr := stack[len(stack)-1]
	for i := len(stack) - 2; i >= 0; i-- {
		switch p := stack[i].(type) {
		case *ast.ParenExpr:
			expr = p
			continue
		case *ast.UnaryExpr:
			if p.Op != token.AND {
				return nil
			}
			expr = p
			continue
		case *ast.AssignStmt:
			if len(p.Lhs) != len(p.Rhs) {
				return nil
			}
			for j, r := range p.Rhs {
				if r == expr {
					return ast.Unparen(p.Lhs[j])
				}
			}
		case *ast.ValueSpec:
			for j, r := range p.Values {
				if r == expr && j < len(p.Names) {
					return p.Names[j]
				}
			}
		}
		return nil
	}
	return nil
}

// ReplaceValue is the suggested fix that replaces the value expr of a
// field with value, written with %s for the name of package time. There is
// none where the name time cannot be had (see timeName), nor where expr
// names a package other than time: the edit could leave its import unused.
func ReplaceValue(pass *analysis.Pass, expr ast.Expr, value, message string) []analysis.SuggestedFix {
	file := fileOf(pass, expr.Pos())
	if file == nil {
		return nil
	}
	other := false
	ast.Inspect(expr, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if pn, ok := pass.TypesInfo.Uses[id].(*types.PkgName); ok && pn.Imported().Path() != "time" {
				other = true
			}
		}
		return !other
	})
	if other {
		return nil
	}
	name, mustImport := timeName(pass, file, expr.Pos())
	if name == "" {
		return nil
	}
	var edits []analysis.TextEdit
	if mustImport {
		edits = append(edits, importTime(file))
	}
	edit := analysis.TextEdit{Pos: expr.Pos(), End: expr.End(), NewText: []byte(sprintf(value, name))}
	return []analysis.SuggestedFix{{Message: message, TextEdits: append(edits, edit)}}
}

// HasSyntax reports whether pass has the syntax and types of its package:
// a driver that loads a dependency from export data runs an analyzer with
// facts on it without them.
func HasSyntax(pass *analysis.Pass) bool {
	return len(pass.Files) > 0 && pass.TypesInfo != nil && pass.Pkg != nil
}

// InGOROOT reports whether the package's files are the standard library's.
func InGOROOT(pass *analysis.Pass) bool {
	if len(pass.Files) == 0 {
		return false
	}
	root := build.Default.GOROOT
	if root == "" {
		return false
	}
	name := pass.Fset.Position(pass.Files[0].Pos()).Filename
	return strings.HasPrefix(name, filepath.Join(root, "src")+string(filepath.Separator))
}

// IsNew reports whether call is new(T), T the type pkgPath.name: the same
// value as &T{}, a literal that sets no field. new of a value (Go 1.26's
// new(expr)) copies what the value holds, which is not read: false.
func IsNew(info *types.Info, call *ast.CallExpr, pkgPath, name string) bool {
	if info == nil || len(call.Args) != 1 {
		return false
	}
	id, ok := ast.Unparen(call.Fun).(*ast.Ident)
	if !ok {
		return false
	}
	if b, ok := info.Uses[id].(*types.Builtin); !ok || b.Name() != "new" {
		return false
	}
	tv, ok := info.Types[call.Args[0]]
	if !ok || !tv.IsType() {
		return false
	}
	t := types.Unalias(tv.Type)
	if _, ok := t.(*types.Named); !ok {
		return false // new(*T) is a pointer to a nil pointer
	}
	return IsNamed(t, pkgPath, name)
}

// NewWithField is the suggested fix that rewrites new(T), the call on top
// of stack, as &T{field: value}, value written with %s for the name of
// package time; it imports time where the file does not. There is none
// where the rewrite could read otherwise: where new(T) is an operand (of
// a selector, an index, a unary or binary operator, a call), or stands in
// the header of an if, for or switch, where a composite literal needs
// parentheses; nor where the name time cannot be had (see timeName).
func NewWithField(pass *analysis.Pass, stack []ast.Node, field, value, message string) []analysis.SuggestedFix {
	call, ok := stack[len(stack)-1].(*ast.CallExpr)
	if !ok || len(call.Args) != 1 || len(stack) < 2 {
		return nil
	}
	switch p := stack[len(stack)-2].(type) {
	case *ast.KeyValueExpr:
		if p.Value != call {
			return nil
		}
	case *ast.CallExpr:
		if p.Fun == call {
			return nil
		}
	case *ast.AssignStmt, *ast.ValueSpec, *ast.ReturnStmt, *ast.CompositeLit:
	default:
		return nil
	}
header:
	for i := len(stack) - 2; i >= 0; i-- {
		switch stack[i].(type) {
		case *ast.BlockStmt, *ast.FuncLit:
			break header // within a body: no header above counts
		case *ast.IfStmt, *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt:
			return nil
		}
	}
	file := fileOf(pass, call.Pos())
	if file == nil {
		return nil
	}
	name, mustImport := timeName(pass, file, call.Pos())
	if name == "" {
		return nil
	}
	text := "&" + types.ExprString(call.Args[0]) + "{" + field + ": " + sprintf(value, name) + "}"
	var edits []analysis.TextEdit
	if mustImport {
		edits = append(edits, importTime(file))
	}
	edit := analysis.TextEdit{Pos: call.Pos(), End: call.End(), NewText: []byte(text)}
	return []analysis.SuggestedFix{{Message: message, TextEdits: append(edits, edit)}}
}
