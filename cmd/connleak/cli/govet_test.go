package cli

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/connleak/connleak/vet"
)

// TestGoVetAgrees checks that `connleak vet` through go vet finds what
// vet.Run finds, the same findings in the same order, in a module whose
// findings need facts of another of its packages, and in its tests; that
// it is go vet that answers (no error), not vet.Run.
func TestGoVetAgrees(t *testing.T) {
	dir := seedModule(t, seedHandler)
	for name, text := range map[string]string{
		"api/api.go":      "package api\n\nimport \"net/http\"\n\n// Get returns the response, its body open.\nfunc Get(c *http.Client, u string) (*http.Response, error) { return c.Get(u) }\n",
		"app/app.go":      "package app\n\nimport (\n\t\"net/http\"\n\n\t\"example.com/seed/api\"\n)\n\nfunc Status(c *http.Client) (int, error) {\n\tresp, err := api.Get(c, \"http://x\")\n\tif err != nil {\n\t\treturn 0, err\n\t}\n\treturn resp.StatusCode, nil\n}\n",
		"app/app_test.go": "package app\n\nimport (\n\t\"net/http\"\n\t\"testing\"\n)\n\nvar tr = &http.Transport{}\n\nfunc TestStatus(t *testing.T) { _ = tr }\n",
	} {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	var progress strings.Builder
	got, err := goVet(context.Background(), nil, &progress)
	if err != nil || progress.Len() > 0 {
		t.Fatalf("go vet did not answer: %v\n%s", err, progress.String())
	}
	want, err := vet.Run(context.Background(), nil, vet.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want.Findings) || len(got) != 5 {
		t.Errorf("go vet found\n%v\nvet.Run\n%v\nwant the same 5", got, want.Findings)
	}
}

// TestParseGoVet checks the reading of go vet -json's output: positions
// made relative, a file name with colons, a package and its test variant's
// same finding once, file order, and an analyzer's error refused.
func TestParseGoVet(t *testing.T) {
	const out = `{}
{
	"example.com/m": {
		"bodynotclosed": [
			{"category": "body-not-closed", "posn": "/w/b.go:9:2", "end": "/w/b.go:9:2", "message": "m1 [body-not-closed]"}
		],
		"clientpercall": [
			{"category": "client-per-call", "posn": "/w/a.go:10:13", "message": "m2 [client-per-call]"},
			{"category": "client-per-call", "posn": "/w/a.go:3:1", "message": "m3 [client-per-call]"}
		]
	}
}
{
	"example.com/m [example.com/m.test]": {
		"bodynotclosed": [
			{"category": "body-not-closed", "posn": "/w/b.go:9:2", "message": "m1 [body-not-closed]"},
			{"category": "body-not-closed", "posn": "/elsewhere/c:d.go:1:1", "message": "m4 [body-not-closed]"}
		]
	}
}
`
	got, err := parseGoVet(strings.NewReader(out), "/w")
	if err != nil {
		t.Fatal(err)
	}
	want := []vet.Finding{
		{Check: "body-not-closed", Pos: "/elsewhere/c:d.go:1:1", Message: "m4 [body-not-closed]"},
		{Check: "client-per-call", Pos: "a.go:3:1", Message: "m3 [client-per-call]"},
		{Check: "client-per-call", Pos: "a.go:10:13", Message: "m2 [client-per-call]"},
		{Check: "body-not-closed", Pos: "b.go:9:2", Message: "m1 [body-not-closed]"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%v\nwant\n%v", got, want)
	}
	for _, bad := range []string{
		`{"p": {"bodynotclosed": {"error": "boom"}}}`,
		`{"p": {"bodynotclosed": [{"category": "x", "posn": "nowhere"}]}}`,
		`{"p": {"bodynotclosed": [{"posn": "a.go:1:1"}]}}`,
		`not json`,
	} {
		if _, err := parseGoVet(strings.NewReader(bad), "/w"); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// TestGoProgress checks which lines of go vet's standard error are the go
// command's about fetching modules, and no error: whole lines of those
// shapes, nothing else.
func TestGoProgress(t *testing.T) {
	for _, tt := range []struct {
		line string
		want bool
	}{
		{"go: downloading example.com/dep v1.0.0", true},
		{"go: downloading example.com/dep/v2 v2.0.0-20260101000000-0123456789ab", true},
		{"go: downloading go1.27.3 (linux/amd64)", true},
		{"go: finding module for package example.com/dep/sub", true},
		{"go: found example.com/dep/sub in example.com/dep v1.0.0", true},
		{"go: downloading example.com/dep v1.0.0: 410 Gone", false},
		{" go: downloading example.com/dep v1.0.0", false},
		{"go: downloading example.com/dep", false},
		{"go: extracting example.com/dep v1.0.0", false},
		{"go: example.com/dep@v1.0.0: missing go.sum entry for go.mod file", false},
		{`go: warning: "./..." matched no packages`, false},
		{"vet: ./main.go:3:15: undefined: undefined", false},
		{"# example.com/seed", false},
	} {
		if got := goProgress.MatchString(tt.line); got != tt.want {
			t.Errorf("goProgress.MatchString(%q) = %v, want %v", tt.line, got, tt.want)
		}
	}
}

// TestQuoted checks that a line of go vet's is quoted without a URL's
// user and password, and cut to 200 bytes.
func TestQuoted(t *testing.T) {
	long := strings.Repeat("é", 150) // 300 bytes
	for _, tt := range []struct{ line, want string }{
		{"go: example.com/dep@v1.0.0: reading https://user:s3cret@proxy.example/example.com/dep/@v/v1.0.0.zip: 401 Unauthorized\n",
			"go: example.com/dep@v1.0.0: reading https://proxy.example/example.com/dep/@v/v1.0.0.zip: 401 Unauthorized"},
		{"GOPROXY=https://t0ken@a.example,https://b.example list failed", "GOPROXY=https://a.example,https://b.example list failed"},
		{"./main.go:3:15: undefined: undefined", "./main.go:3:15: undefined: undefined"},
		{"mail user@example.com, not a URL", "mail user@example.com, not a URL"},
		{long, strings.Repeat("é", 100) + "..."},
	} {
		if got := quoted(tt.line); got != tt.want {
			t.Errorf("quoted(%q) = %q, want %q", tt.line, got, tt.want)
		}
	}
}
