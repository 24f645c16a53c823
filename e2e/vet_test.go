package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestVetTool checks that the connleak binary works as go vet's -vettool:
// go vet runs it on each package, and it reports the findings and fails.
func TestVetTool(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, text := range map[string]string{
		"go.mod":  "module example.com/seed\n\ngo 1.26\n",
		"main.go": "package main\n\nimport \"net/http\"\n\nvar transport = &http.Transport{}\n\nfunc main() { _ = transport }\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	govet := exec.Command("go", "vet", "-vettool="+exe, "./...")
	govet.Dir = dir
	out, err := govet.CombinedOutput()
	if exitCode(err) != 1 || !strings.Contains(string(out), "main.go:5:18: http.Transport without IdleConnTimeout") {
		t.Errorf("go vet -vettool=connleak: exit %d\n%s\nwant exit 1 and the finding", exitCode(err), out)
	}
}
