package transportidletimeout

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/connleak/connleak/vet/internal/analysisutil"
)

// A fieldPath is a field of a variable reached through fields alone,
// h.transport or h.tls.transport: the variable, and the fields' names
// joined by dots.
type fieldPath struct {
	root   *types.Var
	fields string
}

// pathOf is the field path e names, through parentheses: a variable named
// directly, then fields, each of a struct held in the value before it
// rather than behind a pointer (h.shared.transport, h.shared a pointer,
// is in what another value may share), but for the first, which may be
// reached through the variable's pointer (h := &harness{}). ok is false
// where e is no such path.
func pathOf(info *types.Info, e ast.Expr) (p fieldPath, ok bool) {
	var names []string
	for {
		sel, isSel := ast.Unparen(e).(*ast.SelectorExpr)
		if !isSel {
			break
		}
		s := info.Selections[sel]
		if s == nil || s.Kind() != types.FieldVal {
			return fieldPath{}, false
		}
		_, first := ast.Unparen(sel.X).(*ast.Ident)
		if s.Indirect() && (!first || len(s.Index()) != 1) {
			return fieldPath{}, false
		}
		names = append(names, sel.Sel.Name)
		e = sel.X
	}
	id, isID := ast.Unparen(e).(*ast.Ident)
	if !isID || len(names) == 0 {
		return fieldPath{}, false
	}
	v, isVar := info.Uses[id].(*types.Var)
	if !isVar {
		return fieldPath{}, false
	}
	for i, j := 0, len(names)-1; i < j; i, j = i+1, j-1 {
		names[i], names[j] = names[j], names[i]
	}
	return fieldPath{v, strings.Join(names, ".")}, true
}

// madeHere reports whether what the variable v holds is made by the
// function fn, which declares it: v is a struct, or a pointer that every
// assignment in fn gives a new struct (&T{...}, new(T)), so that a field
// path from it reaches nothing another value holds.
func madeHere(info *types.Info, fn ast.Node, v *types.Var) bool {
	if !analysisutil.DeclaredIn(v, fn) {
		return false
	}
	if _, ok := v.Type().Underlying().(*types.Struct); ok {
		return true
	}
	ptr, ok := v.Type().Underlying().(*types.Pointer)
	if !ok {
		return false
	}
	if _, ok := ptr.Elem().Underlying().(*types.Struct); !ok {
		return false
	}
	fresh := true
	ast.Inspect(fn, func(n ast.Node) bool {
		for _, value := range valuesOf(info, n, v) {
			fresh = fresh && value != nil && isNewStruct(info, value)
		}
		return fresh
	})
	return fresh
}

// valuesOf is what the node n, an assignment or a declaration, gives the
// variable v: nil for a value of a tuple, none for a declaration without
// a value; a range statement that assigns v gives it nil.
func valuesOf(info *types.Info, n ast.Node, v *types.Var) []ast.Expr {
	var values []ast.Expr
	switch n := n.(type) {
	case *ast.AssignStmt:
		for j, l := range n.Lhs {
			if id, ok := ast.Unparen(l).(*ast.Ident); ok && info.ObjectOf(id) == v {
				if len(n.Lhs) != len(n.Rhs) {
					values = append(values, nil)
				} else {
					values = append(values, n.Rhs[j])
				}
			}
		}
	case *ast.ValueSpec:
		for j, name := range n.Names {
			if info.ObjectOf(name) == v && j < len(n.Values) {
				values = append(values, n.Values[j])
			} else if info.ObjectOf(name) == v && len(n.Values) > 0 {
				values = append(values, nil)
			}
		}
	case *ast.RangeStmt:
		for _, e := range []ast.Expr{n.Key, n.Value} {
			if id, ok := e.(*ast.Ident); ok && info.ObjectOf(id) == v {
				values = append(values, nil)
			}
		}
	}
	return values
}

// isNewStruct reports whether e makes a new struct and yields a pointer
// to it: &T{...} or new(T).
func isNewStruct(info *types.Info, e ast.Expr) bool {
	switch x := ast.Unparen(e).(type) {
	case *ast.UnaryExpr:
		_, ok := ast.Unparen(x.X).(*ast.CompositeLit)
		return x.Op == token.AND && ok
	case *ast.CallExpr:
		id, ok := ast.Unparen(x.Fun).(*ast.Ident)
		if !ok || len(x.Args) != 1 {
			return false
		}
		b, ok := info.Uses[id].(*types.Builtin)
		return ok && b.Name() == "new" && info.Types[x.Args[0]].IsType()
	}
	return false
}
