package exporter_test

import (
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
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
		{"modules:\n  prod:\n    debug: 0\n    allow: 'http://10\\.[0-9.]+:6060/.*'\n    bearer_token_file: " + token + "\n", "[default prod waits]"},
		{"modules:\n  prod:\n    bearer_token_file: " + token + "\n", `module "prod": credentials without an allow: give the module allow, a regular expression of the targets its credentials may go to`},
		{"modules:\n  prod:\n    allow: '('\n", `module "prod": allow: error parsing regexp`},
		{"modules:\n  default:\n    debug: 2\n", "[default waits]"},
		{"modules:\n  prod:\n    debgu: 2\n", `module "prod", line 3: unknown key debgu (a module accepts debug, allow, basic_auth, bearer_token, bearer_token_file, tls_config)`},
		{"modules:\n  prod:\n    basic_auth: {username: u, pasword_file: x}\n", `module "prod", line 3: unknown key pasword_file (basic_auth accepts username, password, password_file)`},
		{"modules:\n  a: {}\n  prod:\n    basic_auth: s3cret\n", `module "prod", line 4: a str value where it does not fit (basic_auth accepts username, password, password_file)`},
		{"modules:\n  prod:\n    bearer_token: !!int s3cret\n", "cannot decode !!str a value as a !!int"},
		{"modules:\n  prod:\n    debug: 3\n", `module "prod": debug 3: accepts 0, 1 or 2`},
		{"modules:\n  prod:\n    debug: two\n", `module "prod", line 3: a str value where it does not fit (debug accepts 0, 1 or 2)`},
		{"module:\n  prod: {}\n", "line 1: unknown key module (the file accepts modules)"},
		{"modules:\n  prod:\n    bearer_token: a\n    bearer_token_file: " + token + "\n", "bearer_token and bearer_token_file: accepts one of the two"},
		{"modules:\n  prod:\n    allow: .*\n    bearer_token_file: " + filepath.Join(dir, "none") + "\n", "bearer_token_file " + filepath.Join(dir, "none") + ": no such file or directory"},
		{"modules:\n  prod:\n    basic_auth: {password: x}\n", "basic_auth: needs a username"},
		{"modules:\n  prod:\n    allow: .*\n    basic_auth: {username: u, password: x, password_file: " + token + "}\n", "password and password_file: accepts one of the two"},
		{"modules:\n  prod:\n    basic_auth: {username: u, password: x}\n    bearer_token: y\n", "basic_auth and a bearer token"},
		{"modules:\n  prod:\n    tls_config: {ca_file: " + token + "}\n", "no PEM certificate in it"},
		{"modules:\n  prod:\n    tls_config: {cert_file: " + token + "}\n", "cert_file and key_file: accepts both or neither"},
		{"modules:\n  prod:\n    tls_config: {cert_file: " + token + ", key_file: " + token + "}\n", "tls_config: cert_file"},
		{"modules: [1, 2]\n", "line 1: a seq value where it does not fit"},
	}
	for i, tt := range tests {
		path := filepath.Join(dir, fmt.Sprintf("config%d.yml", i))
		if err := os.WriteFile(path, []byte(tt.yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		modules, err := exporter.LoadConfig(t.Context(), path)
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
	if _, err := exporter.LoadConfig(t.Context(), filepath.Join(dir, "none.yml")); err == nil || !strings.Contains(err.Error(), "none.yml") {
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

// TestCredentials checks a module's credentials and TLS settings: a
// target that wants them gets them, over https with the module's CA, a
// probe without them fails, and neither the password nor the token is ever
// in a reply or the log, even when the target echoes them back.
func TestCredentials(t *testing.T) {
	dump, err := os.ReadFile("../diagnose/testdata/dumps/go1.26.8.debug1.txt")
	if err != nil {
		t.Fatal(err)
	}
	const password, token = "s3cret-password", "s3cret-token"
	target := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if (ok && user == "prometheus" && pass == password) || r.Header.Get("Authorization") == "Bearer "+token {
			w.Write(dump)
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, "you sent %q", r.Header.Get("Authorization")) // what a careless target may do
	}))
	t.Cleanup(target.Close)
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	ca := write("ca.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: target.Certificate().Raw})))
	passwordFile := write("password", password+"\n")
	here := "'https://" + regexp.QuoteMeta(strings.TrimPrefix(target.URL, "https://")) + "/debug/pprof/goroutine'"
	config := write("connleak.yml", fmt.Sprintf(`modules:
  basic:
    allow: %s
    basic_auth: {username: prometheus, password_file: %s}
    tls_config: {ca_file: %s}
  bearer:
    allow: %s
    bearer_token: %s
    tls_config: {ca_file: %s}
  wrong:
    allow: %s
    basic_auth: {username: prometheus, password: not-it}
    tls_config: {ca_file: %s}
  elsewhere:
    allow: 'https://pprof\.example:6060/debug/pprof/goroutine'
    bearer_token: %s
`, here, passwordFile, ca, here, token, ca, here, ca, token))
	modules, err := exporter.LoadConfig(t.Context(), config)
	if err != nil {
		t.Fatal(err)
	}
	srv, log := serve(t, exporter.Config{Modules: modules})
	for module, want := range map[string]float64{"basic": 1, "bearer": 1, "wrong": 0, exporter.DefaultModule: 0} {
		m := probe(t, srv, target.URL+"/debug/pprof/goroutine", "module", module)
		if m["probe_success"] != want {
			t.Errorf("module %s: probe_success %v, want %v", module, m["probe_success"], want)
		}
	}
	if !strings.Contains(lineWith(log.String(), "module=default"), "certificate signed by unknown authority") {
		t.Errorf("the default module trusts the target's CA: %s", log.String())
	}
	if !strings.Contains(lineWith(log.String(), "module=wrong"), "status 401 Unauthorized") {
		t.Errorf("module wrong: %s", log.String())
	}
	// A module's credentials go only where its allow says.
	code, body := get(t, srv, "/probe?module=elsewhere&target="+url.QueryEscape(target.URL+"/debug/pprof/goroutine"), "")
	if code != http.StatusForbidden || !strings.Contains(body, `is not allowed with module "elsewhere": it does not match the module's allow ^(?:https://pprof\.example:6060/debug/pprof/goroutine)$`) {
		t.Errorf("module elsewhere: %d %s, want a 403 naming its allow", code, body)
	}
	_, index := get(t, srv, "/", "")
	for _, text := range []string{log.String(), index, fmt.Sprintf("%v %+v %#v", modules, modules, modules)} {
		if strings.Contains(text, "s3cret") {
			t.Errorf("a secret is out: %s", text)
		}
	}
}
