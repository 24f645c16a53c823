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
// it is go vet that answers (ok), not vet.Run; and that it leaves
// -test=false, which go vet has not, to vet.Run.
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
	got, ok := goVet(context.Background(), nil, false)
	if !ok {
		t.Fatal("go vet did not answer")
	}
	want, err := vet.Run(context.Background(), nil, vet.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want.Findings) || len(got) != 5 {
		t.Errorf("go vet found\n%v\nvet.Run\n%v\nwant the same 5", got, want.Findings)
	}
	if _, ok := goVet(context.Background(), nil, true); ok {
		t.Error("go vet answered for -test=false")
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
