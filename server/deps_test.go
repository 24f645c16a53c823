package server_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLinksNoAnalysis checks that the lab server, which names vet's checks
// through the catalogue, links none of the analysis framework: the ids
// are a leaf package's.
func TestLinksNoAnalysis(t *testing.T) {
	out, err := exec.CommandContext(t.Context(), "go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for dep := range strings.FieldsSeq(string(out)) {
		if strings.HasPrefix(dep, "golang.org/x/tools/") {
			t.Errorf("the server links %s", dep)
		}
	}
}
