package exporter_test

import (
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
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
		{"modules:\n  prod:\n    debug: 0\n    allow: 'http://10\\.[0-9.]+:6060/.*'\n    scope: {scheme: http, host: '10\\.[0-9.]+', port: 6060}\n    bearer_token_file: " + token + "\n", "[default prod waits]"},
		{"modules:\n  prod:\n    bearer_token_file: " + token + "\n", `line 2: modules.prod: credentials without a scope: give the module scope: {scheme: https, host: REGEXP, port: PORT}, the parts of the target URLs its credentials may go to`},
		{"modules:\n  prod:\n    allow: 'http://.*\\.pprof\\.internal:6060/debug/pprof/goroutine'\n    bearer_token_file: " + token + "\n", `line 2: modules.prod: credentials with an allow alone, which a query or a path can satisfy (a regular expression over the whole URL): give the module scope: {scheme: https, host: REGEXP, port: PORT}, the parts of the target URLs its credentials may go to`},
		{"modules:\n  internal:\n    allow: 'https://[a-z0-9-]+\\.pprof\\.internal:6060/debug/pprof/goroutine'\n    bearer_token_file: " + token + "\n", `line 2: modules.internal: credentials with an allow alone`},
		{"modules:\n  prod:\n    allow: 'https://[a-z0-9-]+\\.pprof\\.internal:6060/debug/pprof/goroutine'\n", `line 3: modules.prod.allow: admits no URL with a query, and every URL fetched has one, its form (?debug=N): add (\?debug=[012])? after the path`},
		{"modules:\n  prod:\n    scope: {host: x}\n", "line 3: modules.prod.scope.scheme: accepts http or https"},
		{"modules:\n  prod:\n    scope: {scheme: ftp, host: x}\n", "line 3: modules.prod.scope.scheme: accepts http or https"},
		{"modules:\n  prod:\n    scope: {scheme: http}\n", "line 3: modules.prod.scope.host: needed: a regular expression of the host names, or IP addresses, the module may be used for"},
		{"modules:\n  prod:\n    scope: {scheme: http, host: '('}\n", "line 3: modules.prod.scope.host: not a regular expression: missing closing )"},
		{"modules:\n  prod:\n    scope: {scheme: http, host: x, path: '['}\n", "line 3: modules.prod.scope.path: not a regular expression: missing closing ]"},
		{"modules:\n  prod:\n    scope: {scheme: http, host: x, port: 65536}\n", "line 3: modules.prod.scope.port: a number out of range: port accepts 1 to 65535"},
		{"modules:\n  prod:\n    scope: {scheme: http, host: x, prot: 1}\n", "line 3: modules.prod.scope: an unknown key, port misspelled? (scope accepts scheme, host, port, path)"},
		{"modules:\n  prod:\n    scope: {scheme: https, host: 'x\\.internal', port: 6060}\n    bearer_token_file: " + token + "\n", "[default prod waits]"},
		{"modules:\n  prod:\n    allow: '('\n", `line 3: modules.prod.allow: not a regular expression: missing closing )`},
		{"modules:\n  default:\n    debug: 2\n", "[default waits]"},
		{"modules:\n  prod:\n    debgu: 2\n", `line 3: modules.prod: an unknown key, debug misspelled? (a module accepts debug, allow, scope, basic_auth, bearer_token, bearer_token_file, tls_config)`},
		{"modules:\n  prod:\n    basic_auth: {username: u, pasword_file: x}\n", `line 3: modules.prod.basic_auth: an unknown key, password_file misspelled? (basic_auth accepts username, password, password_file)`},
		{"modules:\n  a: {}\n  prod:\n    basic_auth: s3cret\n", `line 4: modules.prod.basic_auth: text where a mapping goes (basic_auth accepts username, password, password_file)`},
		{"modules:\n  prod:\n    bearer_token: !!int s3cret\n", "line 3: modules.prod.bearer_token: tagged !!int, which its value is not"},
		{"modules:\n  prod:\n    debug: 3\n", `line 3: modules.prod.debug: a number out of range: debug accepts 0, 1 or 2`},
		{"modules:\n  prod:\n    debug: two\n", `line 3: modules.prod.debug: text where a whole number goes: debug accepts 0, 1 or 2`},
		{"module:\n  prod: {}\n", "line 1: an unknown key, modules misspelled? (the file accepts modules)"},
		{"modules:\n  prod:\n    bearer_token: a\n    bearer_token_file: " + token + "\n", "line 4: modules.prod.bearer_token_file: given with bearer_token: accepts one of the two"},
		{"modules:\n  prod:\n    scope: {scheme: http, host: x}\n    bearer_token_file: " + filepath.Join(dir, "none") + "\n", "line 4: modules.prod.bearer_token_file: no such file or directory"},
		{"modules:\n  prod:\n    basic_auth: {password: x}\n", "line 3: modules.prod.basic_auth: needs a username"},
		{"modules:\n  prod:\n    scope: {scheme: http, host: x}\n    basic_auth: {username: u, password: x, password_file: " + token + "}\n", "line 4: modules.prod.basic_auth.password_file: given with password: accepts one of the two"},
		{"modules:\n  prod:\n    basic_auth: {username: u, password: x}\n    bearer_token: y\n", "line 3: modules.prod.basic_auth: given with a bearer token: accepts one of the two"},
		{"modules:\n  prod:\n    tls_config: {ca_file: " + token + "}\n", "line 3: modules.prod.tls_config.ca_file: no PEM certificate in it"},
		{"modules:\n  prod:\n    tls_config: {cert_file: " + token + "}\n", "line 3: modules.prod.tls_config: cert_file and key_file: accepts both or neither"},
		{"modules:\n  prod:\n    tls_config: {cert_file: " + token + ", key_file: " + token + "}\n", "line 3: modules.prod.tls_config.cert_file: not loaded with key_file: tls: failed to find any PEM data in certificate input"},
		{"modules: [1, 2]\n", "line 1: modules: a list where a mapping goes (modules accepts a module by name)"},
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
	u, _ := url.Parse(target.URL)
	here := fmt.Sprintf("{scheme: https, host: '127\\.0\\.0\\.1', port: %s}", u.Port())
	config := write("connleak.yml", fmt.Sprintf(`modules:
  basic:
    scope: %s
    basic_auth: {username: prometheus, password_file: %s}
    tls_config: {ca_file: %s}
  bearer:
    scope: %s
    bearer_token: %s
    tls_config: {ca_file: %s}
  wrong:
    scope: %s
    basic_auth: {username: prometheus, password: not-it}
    tls_config: {ca_file: %s}
  elsewhere:
    scope: {scheme: https, host: 'pprof\.example', port: 6060}
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
	// A module's credentials go only where its scope says.
	code, body := get(t, srv, "/probe?module=elsewhere&target="+url.QueryEscape(target.URL+"/debug/pprof/goroutine"), "")
	if code != http.StatusForbidden || !strings.Contains(body, `is not allowed with module "elsewhere": its host 127.0.0.1 does not match the module's scope.host (?i)^(?:pprof\.example)$`) {
		t.Errorf("module elsewhere: %d %s, want a 403 naming its scope", code, body)
	}
	_, index := get(t, srv, "/", "")
	for _, text := range []string{log.String(), index, fmt.Sprintf("%v %+v %#v", modules, modules, modules)} {
		if strings.Contains(text, "s3cret") {
			t.Errorf("a secret is out: %s", text)
		}
	}
}

// TestConfigQuotesNoValue writes a secret in every place of a
// configuration file where YAML, or the file's keys, do not take it: each
// is refused, in one line that names the line and what is accepted, and
// never holds the secret, nor a file it names.
func TestConfigQuotesNoValue(t *testing.T) {
	const head = "modules:\n  prod:\n    scope: {scheme: http, host: x}\n    basic_auth:\n      username: u\n"
	tests := []struct{ name, yaml, want string }{
		{"anchor", head + "      password: &Hunter2Secret x\n", "line 6: modules.prod.basic_auth.password: an anchor (&): anchors and aliases are refused"},
		{"unknown anchor", head + "      password: *Hunter2Secret\n", "line 6: an alias (*): anchors and aliases are refused"},
		{"alias", "modules:\n  prod:\n    allow: '.*'\n    basic_auth:\n      username: u\n      password: *S3cretAnchor\n  other:\n    bearer_token: &S3cretAnchor x\n", "line 6: an alias (*)"},
		{"anchor on a key", head + "      &S3cretKeyAnchor password: x\n", "line 6: modules.prod.basic_auth: an anchor (&)"},
		{"alias as a module", "modules:\n  base: &S3cretBase {allow: '.*'}\n  prod: *S3cretBase\n", "line 2: modules.base: an anchor (&)"},
		{"tag", head + "      password: !S3cretTag hunter2\n", "line 6: modules.prod.basic_auth.password: a tag other than !!str, !!int, !!bool, !!map, !!seq, !!null: refused"},
		{"tag alone", head + "      password: !S3cretTag\n", "line 6: modules.prod.basic_auth.password: a tag other than"},
		{"verbatim tag", head + "      password: !<tag:S3cret.example,2026:x> hunter2\n", "line 6: modules.prod.basic_auth.password: a tag other than"},
		{"TAG directive", "%TAG !s! tag:S3cret.example,2026:\n---\n" + head + "      password: !s!x hunter2\n", "line 8: modules.prod.basic_auth.password: a tag other than"},
		{"binary tag", head + "      password: !!binary UzNjcmV0\n", "line 6: modules.prod.basic_auth.password: a tag other than"},
		{"tag on a key", head + "      !S3cretKeyTag password: x\n", "line 6: modules.prod.basic_auth: a tag other than"},
		{"int tag on text", head + "      password: !!int S3cretInt\n", "line 6: modules.prod.basic_auth.password: tagged !!int, which its value is not"},
		{"flow mapping missing a key", "modules:\n  prod: {allow: '.*', basic_auth: {username: u, S3cretFlowPass}}\n", "line 2: modules.prod.basic_auth: an unknown key (basic_auth accepts username, password, password_file)"},
		{"flow mapping missing a key, in a module", "modules:\n  prod: {allow: '.*', S3cretFlowPass}\n", "line 2: modules.prod: an unknown key (a module accepts"},
		{"flow mapping missing a key, in modules", "modules: {prod: {}, S3cretFlowPass}\n", "line 1: modules: a name without settings"},
		{"unknown key with a value", head + "      pasword: S3cretValue\n", "line 6: modules.prod.basic_auth: an unknown key, password misspelled?"},
		{"merge key", head + "      <<: {password: S3cretMerge}\n", "line 6: modules.prod.basic_auth: a merge key (<<): refused"},
		{"merge of an alias", "modules:\n  base: {bearer_token: S3cretBase}\n  prod:\n    <<: *S3cretBase\n", "line 4: an alias (*)"},
		{"bad indentation", head + "     password: S3cretIndent\n", "line 2: not YAML: did not find expected key"}, // the parser names the line of the mapping it was in
		{"indented too far", head + "        password: S3cretIndent\n", "line 6: not YAML: mapping values are not allowed in this context"},
		{"a tab", head + "\tpassword: S3cretTab\n", "line 5: not YAML: found a tab character that violates indentation"},
		{"duplicate key", head + "      password: S3cretOne\n      password: S3cretTwo\n", "line 7: modules.prod.basic_auth.password: given twice: accepts it once (first on line 6)"},
		{"duplicate unknown key", head + "      S3cretDup: 1\n      S3cretDup: 2\n", "line 6: modules.prod.basic_auth: an unknown key (basic_auth accepts"},
		{"a number", "modules:\n  prod:\n    debug: S3cretDebug\n", "line 3: modules.prod.debug: text where a whole number goes: debug accepts 0, 1 or 2"},
		{"a boolean", "modules:\n  prod:\n    tls_config: {insecure_skip_verify: S3cretBool}\n", "line 3: modules.prod.tls_config.insecure_skip_verify: text where true or false goes"},
		{"a mapping", "modules:\n  prod:\n    allow: '.*'\n    basic_auth: S3cretScalar\n", "line 4: modules.prod.basic_auth: text where a mapping goes"},
		{"a list", "modules:\n  prod:\n    allow: '.*'\n    basic_auth: [S3cretList]\n", "line 4: modules.prod.basic_auth: a list where a mapping goes"},
		{"a mapping for text", head + "      password: {S3cretMap: 1}\n", "line 6: modules.prod.basic_auth.password: a mapping where text goes"},
		{"a complex key", head + "      ? {S3cretKey: 1}\n      : x\n", "line 6: modules.prod.basic_auth: a mapping where a key goes"},
		{"a second document", head + "      password: x\n---\nS3cretDoc: 1\n", "line 7: a second document: the file accepts one"},
		{"a bad escape", head + "      password: \"S3cret\\q\"\n", "line 6: not YAML: found unknown escape character"},
		{"no closing quote", head + "      password: \"S3cretQuote\n", "line 6: not YAML: found unexpected end of stream"},
		{"a colon in a value", head + "      password: S3cret: x\n", "line 6: not YAML: mapping values are not allowed in this context"},
		{"a control character", head + "      password: S3cret\x01\n", "not YAML: control characters are not allowed"},
		{"not UTF-8", head + "      password: S3cret\xff\n", "not YAML: invalid leading UTF-8 octet"},
		{"a password file named by its password", head + "      password_file: S3cretPath\n", "line 6: modules.prod.basic_auth.password_file: no such file or directory"},
		{"an allow that is no regular expression", "modules:\n  prod:\n    allow: '(S3cret'\n", "line 3: modules.prod.allow: not a regular expression: missing closing )"},
	}
	dir := t.TempDir()
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, fmt.Sprintf("config%d.yml", i))
			if err := os.WriteFile(path, []byte(tt.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			modules, err := exporter.LoadConfig(t.Context(), path)
			if err == nil {
				t.Fatalf("loaded %v, want an error", modules)
			}
			got := err.Error()
			if !strings.HasPrefix(got, "config "+path+": ") || !strings.Contains(got, tt.want) || strings.ContainsAny(got, "\n\r") {
				t.Errorf("got %q, want one line with %q", got, tt.want)
			}
			for _, secret := range []string{"s3cret", "hunter2", "uzncmv0"} {
				if strings.Contains(strings.ToLower(got), secret) {
					t.Errorf("%q quotes the file", got)
				}
			}
		})
	}
}

// FuzzLoadConfig checks that no configuration file makes LoadConfig panic,
// and that each it refuses is refused in one line that names the file.
func FuzzLoadConfig(f *testing.F) {
	for _, seed := range []string{
		"",
		"modules:\n  prod:\n    debug: 2\n    scope: {scheme: https, host: 'x\\.internal', port: 6060, path: /debug/pprof/goroutine}\n    basic_auth: {username: u, password: p}\n    tls_config: {server_name: x, insecure_skip_verify: false}\n",
		"modules:\n  prod:\n    basic_auth:\n      username: &a u\n      password: *a\n",
		"modules: {prod: {allow: '.*\\?debug=1', S3cretFlowPass}}\n",
		"modules:\n  base: {bearer_token: x}\n  prod:\n    <<: *base\n",
		"%TAG !s! tag:x,2026:\n---\nmodules: {prod: {bearer_token: !s!x y}}\n---\nx: 1\n",
		"modules:\n  prod:\n    debug: !!int two\n    ? [a]\n    : b\n",
		"modules:\n  \"a\\nb.c\": {debug: 3}\n",
	} {
		f.Add(seed)
	}
	path := filepath.Join(f.TempDir(), "connleak.yml")
	f.Fuzz(func(t *testing.T, yaml string) {
		if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := exporter.LoadConfig(t.Context(), path)
		if err != nil && (!strings.HasPrefix(err.Error(), "config "+path+": ") || strings.ContainsAny(err.Error(), "\n\r")) {
			t.Errorf("%q: %q, want one line naming the file", yaml, err)
		}
	})
}
