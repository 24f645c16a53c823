package analysisutil

import "testing"

func TestMustExtractDoc(t *testing.T) {
	const src = `// Package p is an example.
//
// # Analyzer p
//
// p: report what p finds
//
// The detail.
//
// # Analyzer q
//
// q: report what q finds
package p
`
	if got, want := MustExtractDoc(src, "p"), "report what p finds\n\nThe detail."; got != want {
		t.Errorf("p: got %q, want %q", got, want)
	}
	if got, want := MustExtractDoc(src, "q"), "report what q finds"; got != want {
		t.Errorf("q: got %q, want %q", got, want)
	}
	for name, bad := range map[string]string{
		"no section":  "// Package p.\npackage p\n",
		"no summary":  "// # Analyzer p\n//\n// the detail\npackage p\n",
		"no comment":  "package p\n",
		"not Go":      "// # Analyzer p\n//\n// p: x\n",
		"other names": "// # Analyzer pp\n//\n// pp: x\npackage p\n",
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			MustExtractDoc(bad, "p")
		}()
	}
}
