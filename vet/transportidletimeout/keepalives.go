package transportidletimeout

import (
	"go/ast"
	"go/types"

	"github.com/connleak/connleak/vet/internal/analysisutil"
)

// keepAlivesOff is what DisableKeepAlives says of a Transport, the
// literal lit (nil where it is none) bound to v (nil where it is not):
// Set where the literal, or an assignment to v's field, gives it a
// constant true, and the Transport keeps no idle connection; Trusted
// where it is given only values known at run time, and the Transport
// keeps them unless that value is true; Unset where it is absent, or a
// constant false.
func (c *checker) keepAlivesOff(lit *ast.CompositeLit, v *types.Var) analysisutil.Setting {
	s := analysisutil.Unset
	if lit != nil {
		s = analysisutil.FieldSetting(c.pass.TypesInfo, lit, "DisableKeepAlives")
	}
	for _, a := range c.assigns[v] {
		if a.Field != "DisableKeepAlives" {
			continue
		}
		switch analysisutil.ValueSetting(c.pass.TypesInfo, a.Value) {
		case analysisutil.Set:
			return analysisutil.Set
		case analysisutil.Trusted:
			s = max(s, analysisutil.Trusted)
		}
	}
	return s
}

// unless is what a finding adds where DisableKeepAlives is known only at
// run time (keepAlivesOff's Trusted): it holds only while that is false.
func unless(off analysisutil.Setting) string {
	if off == analysisutil.Trusted {
		return " unless DisableKeepAlives is true"
	}
	return ""
}
