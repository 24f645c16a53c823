package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// seedModule writes a module holding the seed's handler, and returns its
// directory.
func seedModule(t *testing.T, main string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range map[string]string{
		"go.mod":  "module example.com/seed\n\ngo 1.26\n",
		"main.go": main,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const seedHandler = `package main

import (
	"net/http"
	"time"
)

// The seed's handler: a new client with a bare Transport, per request.
func forward(w http.ResponseWriter, r *http.Request) {
	client := &http.Client{Transport: &http.Transport{}, Timeout: time.Second}
	resp, err := client.Post("http://localhost:8080/hello", "application/json", nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	w.WriteHeader(resp.StatusCode)
}

func main() {
	http.HandleFunc("/forward", forward)
	http.ListenAndServe(":9090", nil)
}
`

// TestVetSeed runs connleak vet as a user would, in a module with the
// seed's handler: it points at the lines, exits 1, works as go vet's
// -vettool, and -fix sets IdleConnTimeout.
func TestVetSeed(t *testing.T) {
	t.Parallel()
	dir := seedModule(t, seedHandler)
	cmd := exec.Command(exe, "vet", "./...")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	for _, want := range []string{
		"main.go:10:13: an http.Client with a Transport of its own made per call (inside an HTTP handler)",
		"[client-per-call]\n",
		"main.go:10:37: http.Transport without IdleConnTimeout keeps every idle connection for ever",
		"[transport-idle-timeout]\n",
		"main.go:22:2: http.ListenAndServe runs an http.Server with no timeouts",
		"connleak: vet: 3 findings\n",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("connleak vet: no %q in\n%s", want, out)
		}
	}
	if exitCode(err) != 1 {
		t.Errorf("connleak vet with findings: exit %d, want 1", exitCode(err))
	}

	govet := exec.Command("go", "vet", "-vettool="+exe, "./...")
	govet.Dir = dir
	out, err = govet.CombinedOutput()
	if exitCode(err) != 1 || !strings.Contains(string(out), "main.go:10:37: http.Transport without IdleConnTimeout") {
		t.Errorf("go vet -vettool=connleak: exit %d\n%s\nwant exit 1 and the findings", exitCode(err), out)
	}

	fix := exec.Command(exe, "vet", "-fix", "./...")
	fix.Dir = dir
	if out, err := fix.CombinedOutput(); exitCode(err) != 1 || !strings.Contains(string(out), "applied 1 fixes") {
		t.Errorf("connleak vet -fix: exit %d\n%s", exitCode(err), out)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "main.go"))
	if !strings.Contains(string(b), "&http.Transport{IdleConnTimeout: 90 * time.Second}") {
		t.Errorf("after -fix:\n%s\nwant IdleConnTimeout set", b)
	}
}

// TestVetSelf checks connleak vet on connleak: its deliberate leaks are
// each silenced by a directive, and nothing else is found.
func TestVetSelf(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(exe, "vet", "./...")
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil || len(out) != 0 {
		t.Errorf("connleak vet ./... on connleak: %v\n%s\nwant nothing found", err, out)
	}
}

// TestVetBadPackages checks exit status 2 for packages that do not load.
func TestVetBadPackages(t *testing.T) {
	t.Parallel()
	dir := seedModule(t, "package main\n\nfunc main() { undefined() }\n")
	cmd := exec.Command(exe, "vet", "./...")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if exitCode(err) != 2 || !strings.Contains(string(out), "do not load") || !strings.Contains(string(out), "undefined") {
		t.Errorf("connleak vet on a package that does not compile: exit %d\n%s\nwant exit 2 saying why", exitCode(err), out)
	}
}
