package exporter_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/connleak/connleak/exporter"
)

// TestLoadConfig checks what a configuration file may say, and that each
// mistake is an error naming the file, the module and what is accepted.
func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	token := filepath.Join(dir, "token")
	if err := os.WriteFile(token, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		yaml string
		want string // "" for none: then the modules
	}{
		{"", "[default waits]"},
		{"modules:\n  prod:\n    debug: 0\n    bearer_token_file: " + token + "\n", "[default prod waits]"},
		{"modules:\n  default:\n    debug: 2\n", "[default waits]"},
		{"modules:\n  prod:\n    debgu: 2\n", "field debgu not found"},
		{"modules:\n  prod:\n    debug: 3\n", `module "prod": debug 3: accepts 0, 1 or 2`},
		{"modules:\n  prod:\n    debug: two\n", "cannot unmarshal"},
		{"module:\n  prod: {}\n", "field module not found"},
		{"modules:\n  prod:\n    bearer_token: a\n    bearer_token_file: " + token + "\n", "bearer_token and bearer_token_file: accepts one of the two"},
		{"modules:\n  prod:\n    bearer_token_file: " + filepath.Join(dir, "none") + "\n", "bearer_token_file " + filepath.Join(dir, "none") + ": no such file or directory"},
		{"modules:\n  prod:\n    basic_auth: {password: x}\n", "basic_auth: needs a username"},
		{"modules:\n  prod:\n    basic_auth: {username: u, password: x, password_file: " + token + "}\n", "password and password_file: accepts one of the two"},
		{"modules:\n  prod:\n    basic_auth: {username: u, password: x}\n    bearer_token: y\n", "basic_auth and a bearer token"},
		{"modules:\n  prod:\n    tls_config: {ca_file: " + token + "}\n", "no PEM certificate in it"},
		{"modules:\n  prod:\n    tls_config: {cert_file: " + token + "}\n", "cert_file and key_file: accepts both or neither"},
		{"modules:\n  prod:\n    tls_config: {cert_file: " + token + ", key_file: " + token + "}\n", "tls_config: cert_file"},
		{"modules: [1, 2]\n", "cannot unmarshal"},
	}
	for i, tt := range tests {
		path := filepath.Join(dir, fmt.Sprintf("config%d.yml", i))
		if err := os.WriteFile(path, []byte(tt.yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		modules, err := exporter.LoadConfig(path)
		var got string
		if err != nil {
			got = err.Error()
			if !strings.HasPrefix(got, "config "+path) {
				t.Errorf("%q: %q, want the file named first", tt.yaml, got)
			}
		} else {
			x, err := exporter.New(exporter.Config{Modules: modules})
			if err != nil {
				t.Fatal(err)
			}
			got = fmt.Sprint(x.ModuleNames())
		}
		if !strings.Contains(got, tt.want) || strings.Contains(got, "s3cret") {
			t.Errorf("%q: %q, want %q", tt.yaml, got, tt.want)
		}
	}
	if _, err := exporter.LoadConfig(filepath.Join(dir, "none.yml")); err == nil || !strings.Contains(err.Error(), "none.yml") {
		t.Errorf("a missing file: %v", err)
	}
}

// TestSecret checks that a Secret prints as <secret>, however printed.
func TestSecret(t *testing.T) {
	m := exporter.Module{BearerToken: "s3cret", BasicAuth: &exporter.BasicAuth{Username: "u", Password: "s3cret"}}
	for _, s := range []string{fmt.Sprint(m), fmt.Sprintf("%+v %#v %s %q", m, m, m.BearerToken, m.BearerToken), fmt.Sprintf("%+v", *m.BasicAuth)} {
		if strings.Contains(s, "s3cret") || !strings.Contains(s, "<secret>") {
			t.Errorf("%s", s)
		}
	}
}
