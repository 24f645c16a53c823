package clientpercall

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/connleak/connleak/vet/internal/analysisutil"
)

// joined reports whether the goroutine that g starts ends before the
// function around g returns, so that what it captures is not kept past
// the call: g runs a func literal without arguments whose last statement
// is wg.Done(), or which defers wg.Done() among its statements, and calls
// Done nowhere else; and the function then waits for wg (waitsAfter). A
// goroutine that returns before its Done leaves Wait, and the function,
// waiting for ever: it drops nothing either.
func (c *checker) joined(g *ast.GoStmt) bool {
	lit, ok := ast.Unparen(g.Call.Fun).(*ast.FuncLit)
	if !ok || len(g.Call.Args) != 0 || len(lit.Body.List) == 0 {
		return false
	}
	var wg *types.Var
	for i, stmt := range lit.Body.List {
		switch s := stmt.(type) {
		case *ast.DeferStmt:
			wg = c.waitGroupCall(s.Call, "Done")
		case *ast.ExprStmt:
			if call, ok := s.X.(*ast.CallExpr); ok && i == len(lit.Body.List)-1 {
				wg = c.waitGroupCall(call, "Done")
			}
		}
		if wg != nil {
			break
		}
	}
	return wg != nil && c.callsIn(lit, wg, "Done") == 1 && c.waitsAfter(g, wg)
}

// joinedByGo reports whether call is wg.Go(f), which runs f in a goroutine
// that Wait waits for, and the function then waits for wg (waitsAfter).
func (c *checker) joinedByGo(call *ast.CallExpr) bool {
	wg := c.waitGroupCall(call, "Go")
	return wg != nil && c.waitsAfter(call, wg)
}

// waitGroupCall is wg in call, wg.name(...), where wg is a variable of
// type sync.WaitGroup named directly; nil where call is none such.
func (c *checker) waitGroupCall(call *ast.CallExpr, name string) *types.Var {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != name {
		return nil
	}
	id, ok := ast.Unparen(sel.X).(*ast.Ident)
	if !ok {
		return nil
	}
	v, ok := c.info.Uses[id].(*types.Var)
	if !ok || !isWaitGroup(v.Type()) {
		return nil
	}
	return v
}

// isWaitGroup reports whether t is sync.WaitGroup itself, not a pointer.
func isWaitGroup(t types.Type) bool {
	_, ptr := t.(*types.Pointer)
	return !ptr && analysisutil.IsNamed(t, "sync", "WaitGroup")
}

// callsIn counts the calls wg.name(...) in n.
func (c *checker) callsIn(n ast.Node, wg *types.Var, name string) int {
	count := 0
	ast.Inspect(n, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok && c.waitGroupCall(call, name) == wg {
			count++
		}
		return true
	})
	return count
}

// waitsAfter reports whether the function around start, a go statement or
// a wg.Go call, waits for wg before it returns: wg is a local variable of
// that function that nothing but its own Add, Done, Go and Wait use (so
// that no other function can call its Done), and a statement wg.Wait() of
// the same function follows start in a block around it, with no return,
// goto or jump out of that block in between; where start is in a loop
// within that block, the whole loop is in between, as it runs again after
// start.
func (c *checker) waitsAfter(start ast.Node, wg *types.Var) bool {
	fn := analysisutil.EnclosingFunc(c.parent, start)
	if fn == nil || !analysisutil.DeclaredIn(wg, fn) {
		return false
	}
	var waits []*ast.ExprStmt
	for _, id := range c.uses[wg] {
		sel, ok := c.parent[id].(*ast.SelectorExpr)
		if !ok || sel.X != id {
			return false
		}
		call, ok := c.parent[sel].(*ast.CallExpr)
		if !ok || call.Fun != sel {
			return false
		}
		switch sel.Sel.Name {
		case "Add", "Done", "Go":
		case "Wait":
			if stmt, ok := c.parent[call].(*ast.ExprStmt); ok {
				waits = append(waits, stmt)
			}
		default:
			return false
		}
	}
	for _, w := range waits {
		block, ok := c.parent[w].(*ast.BlockStmt)
		if !ok || w.Pos() <= start.End() || analysisutil.EnclosingFunc(c.parent, w) != fn {
			continue
		}
		if from, within := c.runsFrom(start, block); within && !c.leavesBetween(block, from, w.Pos()) {
			return true
		}
	}
	return false
}

// runsFrom is where, in block, what runs after start begins: start's end,
// or the outermost loop within block that start is in, which runs again;
// within is false where start is not in block.
func (c *checker) runsFrom(start ast.Node, block *ast.BlockStmt) (from token.Pos, within bool) {
	from = start.End()
	for n := c.parent[start]; n != nil; n = c.parent[n] {
		switch n := n.(type) {
		case *ast.BlockStmt:
			if n == block {
				return from, true
			}
		case *ast.ForStmt, *ast.RangeStmt:
			from = n.Pos()
		}
	}
	return 0, false
}

// leavesBetween reports whether a statement of block, from from to to,
// may leave block before to: a return, a goto, a labelled break or
// continue, or a break or continue whose loop, switch or select is not
// within block. Func literals are not looked into: their returns are
// their own.
func (c *checker) leavesBetween(block *ast.BlockStmt, from, to token.Pos) bool {
	leaves := false
	ast.Inspect(block, func(n ast.Node) bool {
		if n == nil || leaves || n.End() <= from || n.Pos() >= to {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			leaves = true
		case *ast.BranchStmt:
			leaves = n.Tok == token.GOTO || n.Label != nil ||
				(n.Tok == token.BREAK || n.Tok == token.CONTINUE) && !c.targetWithin(n, block)
		}
		return !leaves
	})
	return leaves
}

// targetWithin reports whether the loop, switch or select that the
// unlabelled break or continue b leaves stands within block.
func (c *checker) targetWithin(b *ast.BranchStmt, block *ast.BlockStmt) bool {
	for n := c.parent[b]; n != nil && n != block; n = c.parent[n] {
		switch n.(type) {
		case *ast.ForStmt, *ast.RangeStmt:
			return true
		case *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
			if b.Tok == token.BREAK {
				return true
			}
		case *ast.FuncLit:
			return true // not this function's
		}
	}
	return false
}
