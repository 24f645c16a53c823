package cli

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/module"
	"golang.org/x/mod/sumdb/dirhash"
	modzip "golang.org/x/mod/zip"

	"github.com/connleak/connleak/internal/testutil"
	"github.com/connleak/connleak/vet"
)

// depModule is a module of another author's: Code reads a response and
// neither closes nor keeps its body, which its caller must then close;
// Drain closes it.
var depModule = map[string]string{
	"go.mod": "module example.com/dep\n\ngo 1.26\n",
	"dep.go": `package dep

import (
	"io"
	"net/http"
)

// Code is the response's status; the body is its caller's to close.
func Code(resp *http.Response) int { return resp.StatusCode }

// Drain reads the body to its end and closes it.
func Drain(resp *http.Response) {
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}
`,
}

// usesDep calls depModule's functions: one body left open, one closed.
const usesDep = `package main

import (
	"net/http"

	"example.com/dep"
)

func status(c *http.Client) (int, error) {
	resp, err := c.Get("http://127.0.0.1/")
	if err != nil {
		return 0, err
	}
	return dep.Code(resp), nil
}

func drained(c *http.Client) error {
	resp, err := c.Get("http://127.0.0.1/")
	if err != nil {
		return err
	}
	dep.Drain(resp)
	return nil
}

func main() {
	status(http.DefaultClient)
	drained(http.DefaultClient)
}
`

// TestVetColdModuleCache checks that connleak vet finds the same on a
// first run in a module whose dependency is not yet downloaded, where go
// vet writes "go: downloading", as on the next: the finding that needs
// the dependency's facts included, through go vet both times, with no
// fallback; and that vet.Run, on a module cache as empty, finds the same.
// The dependency comes from a module proxy in a directory: no network.
func TestVetColdModuleCache(t *testing.T) {
	proxy := t.TempDir()
	sum := proxyModule(t, proxy, module.Version{Path: "example.com/dep", Version: "v1.0.0"}, depModule)
	dir := seedModule(t, usesDep)
	for name, text := range map[string]string{
		"go.mod": "module example.com/seed\n\ngo 1.26\n\nrequire example.com/dep v1.0.0\n",
		"go.sum": sum,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for k, v := range map[string]string{
		"GOPROXY":     "file://" + filepath.ToSlash(proxy),
		"GOMODCACHE":  t.TempDir(),
		"GOFLAGS":     "-modcacherw", // so that t.TempDir can remove the module cache
		"GOSUMDB":     "off",
		"GOPRIVATE":   "",
		"GONOPROXY":   "",
		"GONOSUMDB":   "",
		"GOTOOLCHAIN": "local",
		"GOWORK":      "off",
	} {
		t.Setenv(k, v)
	}
	want := "main.go:10:15: response body never closed (the lab shows it: connleak demo -scenarios body-leave-open) [body-not-closed]\n"
	cold := run(t, dir, testutil.Getenv(), nil, "vet", "./...")
	warm := run(t, dir, testutil.Getenv(), nil, "vet", "./...")
	for _, r := range []struct {
		name     string
		result   result
		download bool
	}{{"cold", cold, true}, {"warm", warm, false}} {
		downloaded := strings.Contains(r.result.stderr, "go: downloading example.com/dep v1.0.0\n")
		if r.result.stdout != want || r.result.code != 1 || downloaded != r.download || strings.Contains(r.result.stderr, "could not check") {
			t.Errorf("connleak vet, %s module cache: exit %d\n%s\nwant exit 1, %q, a download %v, and no fallback", r.name, r.result.code, r.result.out(), want, r.download)
		}
	}

	t.Setenv("GOMODCACHE", t.TempDir())
	res, err := vet.Run(context.Background(), nil, vet.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if wantRun := (vet.Finding{Check: "body-not-closed", Pos: "main.go:10:15", Message: "response body never closed [body-not-closed]"}); len(res.Findings) != 1 || res.Findings[0] != wantRun {
		t.Errorf("vet.Run, an empty module cache: %v, want %v", res.Findings, wantRun)
	}
}

// proxyModule writes the module m, its files given, into the module proxy
// in the directory proxy, as the GOPROXY protocol serves it (m's path in
// lower case, so that it needs no escaping), and returns its go.sum lines.
func proxyModule(t *testing.T, proxy string, m module.Version, files map[string]string) string {
	t.Helper()
	src := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(src, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	at := filepath.Join(proxy, filepath.FromSlash(m.Path), "@v")
	if err := os.MkdirAll(at, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{
		"list":              m.Version + "\n",
		m.Version + ".info": `{"Version":"` + m.Version + `","Time":"2026-01-01T00:00:00Z"}`,
		m.Version + ".mod":  files["go.mod"],
	} {
		if err := os.WriteFile(filepath.Join(at, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	zipName := filepath.Join(at, m.Version+".zip")
	z, err := os.Create(zipName)
	if err != nil {
		t.Fatal(err)
	}
	if err := modzip.CreateFromDir(z, m, src); err != nil {
		t.Fatal(err)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	h, err := dirhash.HashZip(zipName, dirhash.Hash1)
	if err != nil {
		t.Fatal(err)
	}
	hmod, err := dirhash.Hash1([]string{"go.mod"}, func(string) (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(files["go.mod"])), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m.Path + " " + m.Version + " " + h + "\n" + m.Path + " " + m.Version + "/go.mod " + hmod + "\n"
}
