package analysisutil

import (
	"fmt"
	"go/parser"
	"go/token"
	"strings"
)

// MustExtractDoc is an analyzer's Doc, taken from its package's doc.go
// (content) as x/tools' own analyzers take theirs: the section of the
// package comment that reads
//
//	# Analyzer NAME
//
//	NAME: SUMMARY
//
//	The full description...
//
// up to the next heading or the end of the comment, with "NAME: " cut. It
// panics where doc.go has no such section, so that a bad doc.go fails
// every test of its package.
func MustExtractDoc(content, name string) string {
	f, err := parser.ParseFile(token.NewFileSet(), "doc.go", content, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil || f.Doc == nil {
		panic(fmt.Sprintf("analysisutil: doc.go has no package comment: %v", err))
	}
	_, section, ok := strings.Cut(f.Doc.Text(), "# Analyzer "+name+"\n")
	if !ok {
		panic(fmt.Sprintf("analysisutil: doc.go has no section %q", "# Analyzer "+name))
	}
	if i := strings.Index(section, "\n# "); i >= 0 {
		section = section[:i]
	}
	doc, ok := strings.CutPrefix(strings.TrimSpace(section), name+": ")
	if !ok {
		panic(fmt.Sprintf("analysisutil: doc.go's section %q does not begin %q", "# Analyzer "+name, name+": "))
	}
	return doc
}
