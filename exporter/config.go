package exporter

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
)

// The built-in modules, which a configuration file may redefine.
const (
	// DefaultModule is the module of a probe that names none.
	DefaultModule = "default"
	// WaitsModule asks for debug=2, whose wait times let the findings that
	// depend on them be named below their pile-up counts, and give
	// connleak_oldest_wait_seconds.
	WaitsModule = "waits"
)

// DefaultDebug is the form a module asks for unless it says: debug=1, the
// goroutine profile grouped by stack, in text. It answers every finding's
// count, and costs the probed service as little as debug=0, the same
// profile in protobuf, and a tenth of what debug=2 does, with no stop of
// the world but two short ones (docs/exporter.md#what-a-probe-costs-the-service).
const DefaultDebug = 1

// Module is how the exporter reads the targets of the probes that name it:
// the form it asks for, and the credentials and TLS settings of its
// requests. A configuration file defines modules by name, in the YAML form
// of Prometheus's own scrape settings:
//
//	modules:
//	  default:
//	    debug: 1
//	    scope: {scheme: http, host: '10\.[0-9.]+', port: 6060}
//	    basic_auth:
//	      username: prometheus
//	      password_file: /etc/connleak/password
//	  internal:
//	    debug: 2
//	    scope:
//	      scheme: https
//	      host: '[a-z0-9-]+\.pprof\.internal'
//	      port: 6060
//	      path: /debug/pprof/goroutine
//	    bearer_token_file: /etc/connleak/pprof-token
//	    tls_config:
//	      ca_file: /etc/connleak/ca.pem
//	      cert_file: /etc/connleak/client.pem
//	      key_file: /etc/connleak/client-key.pem
//	      server_name: pprof.internal
//
// A module that sends credentials says where they may go: its Scope, the
// scheme, host, port and path a target must have, each matched against
// that part of the target's parsed URL, never its query. An Allow alone,
// a regular expression over the whole URL, does not do: a query, a path or
// a fragment can hold whatever it asks for
// (http://127.0.0.1:1/?x.pprof.internal:6060/debug/pprof/goroutine). Whoever
// can name a module in a probe (a pod's annotation, say) can send its
// password or token to its scope's hosts only. Passwords and tokens are
// never written back: not in a reply, not in a log line, not in an error,
// not by %v (Secret).
type Module struct {
	// Debug is the form asked of a target whose URL does not say (with its
	// own ?debug=): 0, 1 or 2; DefaultDebug if not set.
	Debug *int `yaml:"debug"`
	// Allow, if set, is a regular expression of the URLs the module may
	// fetch, besides -allow, matched the same way: against the whole URL
	// fetched, the module's form (?debug=N) added.
	Allow string `yaml:"allow"`
	// Scope, if set, is the targets the module may be used for, by their
	// parts: required of a module with credentials.
	Scope *Scope `yaml:"scope"`
	// BasicAuth, if set, is sent with every request.
	BasicAuth *BasicAuth `yaml:"basic_auth"`
	// BearerToken, or the file BearerTokenFile names (read at each probe,
	// so that a rotated token is taken), is sent as an Authorization
	// header; one of the two at most.
	BearerToken     Secret `yaml:"bearer_token"`
	BearerTokenFile string `yaml:"bearer_token_file"`
	// TLS is the https settings: the CAs a target may chain to (the
	// system's roots if none), a client certificate, the name to verify.
	TLS TLSConfig `yaml:"tls_config"`
}

// Scope is the targets a module may be used for, by the parts of their
// URL, each matched against the part of the target's URL as parsed and
// written one way: the scheme; the host in lower case, without a trailing
// dot, an IPv6 address without brackets, in its shortest form; the port,
// the scheme's default where the URL names none; the path as written,
// which must be clean (no ".", "..", empty segment, trailing "/" or
// escape), so that a server that routes by the path as written reads the
// path matched. The query and the fragment are no part of it.
type Scope struct {
	// Scheme is http or https.
	Scheme string `yaml:"scheme"`
	// Host is a regular expression matched against the whole host name,
	// in any case: '[a-z0-9-]+\.pprof\.internal', '10\.[0-9.]+', 'fd00::1'.
	Host string `yaml:"host"`
	// Port is the port, the scheme's default (80, 443) if 0.
	Port int `yaml:"port"`
	// Path is a regular expression matched against the whole path,
	// DefaultScopePath if "".
	Path string `yaml:"path"`
}

// DefaultScopePath is the path of a Scope that names none: net/http/pprof's
// goroutine profile.
const DefaultScopePath = "/debug/pprof/goroutine"

// BasicAuth is a user name and a password, or the file that holds it (read
// at each probe).
type BasicAuth struct {
	Username     string `yaml:"username"`
	Password     Secret `yaml:"password"`
	PasswordFile string `yaml:"password_file"`
}

// TLSConfig is a module's https settings. Its files are read when the
// configuration is loaded: a renewed certificate needs a restart.
type TLSConfig struct {
	CAFile             string `yaml:"ca_file"`
	CertFile           string `yaml:"cert_file"`
	KeyFile            string `yaml:"key_file"`
	ServerName         string `yaml:"server_name"`
	InsecureSkipVerify bool   `yaml:"insecure_skip_verify"`
}

// Secret is a password or a token: it prints as <secret>, however it is
// printed or marshalled.
type Secret string

// String is <secret>, for %v and %s.
func (Secret) String() string { return "<secret>" }

// GoString is "<secret>", for %#v.
func (Secret) GoString() string { return `"<secret>"` }

// MarshalYAML is <secret>, for a configuration written back.
func (Secret) MarshalYAML() (any, error) { return "<secret>", nil }

// MarshalText is <secret>, for JSON, slog and the like.
func (Secret) MarshalText() ([]byte, error) { return []byte("<secret>"), nil }

// builtinModules are the modules every exporter has unless its
// configuration redefines them.
func builtinModules() map[string]Module {
	waits := 2
	return map[string]Module{DefaultModule: {}, WaitsModule: {Debug: &waits}}
}

// compile is s ready to match targets, or an error that names the setting
// that is wrong.
func (s Scope) compile() (*scope, error) {
	sc := &scope{scheme: s.Scheme, port: cmp.Or(s.Port, defaultPorts[s.Scheme])}
	if defaultPorts[s.Scheme] == 0 {
		return nil, keyErrorf("scope.scheme", "accepts http or https")
	}
	if s.Host == "" {
		return nil, keyErrorf("scope.host", "needed: a regular expression of the host names, or IP addresses, the module may be used for")
	}
	var err error
	if sc.host, err = compile(s.Host, "(?i)"); err != nil {
		return nil, &keyError{"scope.host", err}
	}
	if s.Port < 0 || s.Port > 65535 {
		return nil, keyErrorf("scope.port", "accepts 1 to 65535")
	}
	if sc.path, err = compile(cmp.Or(s.Path, DefaultScopePath), ""); err != nil {
		return nil, &keyError{"scope.path", err}
	}
	return sc, nil
}

// LoadConfig reads a configuration file, within ctx: its modules, which
// New adds to the built-in ones. The file, and each file it names, must be
// a regular file, of at most 1 MiB for the configuration, 64 KiB for a
// password or a token, 4 MiB for a PEM file: a device, a named pipe or a
// directory is refused before a byte is read. Its YAML may use no anchor,
// alias, merge key or tag but the standard ones (!!str, !!int, !!bool,
// !!map, !!seq, !!null). An unknown key, a bad value or a file it names
// that cannot be read is an error of one line that names the file, the
// line and the key's place (modules.NAME.basic_auth.password_file), and
// what is accepted; it quotes no value of the file, not even an unknown
// key, which may be a password whose key was forgotten.
func LoadConfig(ctx context.Context, path string) (map[string]Module, error) {
	b, err := readFile(ctx, path, maxConfigBytes)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	modules, lines, err := decodeConfig(b)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	for _, name := range slices.Sorted(maps.Keys(modules)) {
		if _, err := modules[name].load(ctx); err != nil {
			module, key := "modules."+keyName(name), ""
			var ke *keyError
			if errors.As(err, &ke) {
				key, err = ke.key, ke.err
			}
			place := strings.TrimSuffix(module+"."+key, ".")
			// The line of the key, or of the nearest mapping it is in
			// when it is not given.
			line := lines[module]
			for k := key; k != ""; k, _, _ = cutLast(k, ".") {
				if n := lines[module+"."+k]; n > 0 {
					line = n
					break
				}
			}
			return nil, fmt.Errorf("config %s: %w", path, &placeError{line: line, place: place, msg: err.Error()})
		}
	}
	return modules, nil
}

// keyError is a mistake in one of a module's settings: key is its place in
// the module, such as basic_auth.password_file.
type keyError struct {
	key string
	err error
}

func (e *keyError) Error() string { return e.key + ": " + e.err.Error() }

func (e *keyError) Unwrap() error { return e.err }

// keyErrorf is a keyError of key.
func keyErrorf(key, format string, args ...any) error {
	return &keyError{key: key, err: fmt.Errorf(format, args...)}
}

// load checks the module and makes it ready, reading its files within ctx:
// it refuses a form other than 0, 1 and 2, an allow or a scope that is no
// regular expression, two secrets where one is accepted, credentials
// without a scope (said first, to a module that has an allow in its
// place), an allow that admits no URL with a query, a file that cannot be
// read, TLS files that do not load. An error names the setting (a
// *keyError where it is one), and quotes none.
func (m Module) load(ctx context.Context) (loaded, error) {
	l := loaded{Module: m}
	if m.Debug != nil && (*m.Debug < 0 || *m.Debug > 2) {
		return l, keyErrorf("debug", "accepts 0, 1 or 2")
	}
	if m.Allow != "" {
		re, err := compile(m.Allow, "")
		if err != nil {
			return l, &keyError{"allow", err}
		}
		l.allow = re
	}
	if m.BearerToken != "" && m.BearerTokenFile != "" {
		return l, keyErrorf("bearer_token_file", "given with bearer_token: accepts one of the two")
	}
	if m.BasicAuth != nil {
		if m.BasicAuth.Username == "" {
			return l, keyErrorf("basic_auth", "needs a username")
		}
		if m.BasicAuth.Password != "" && m.BasicAuth.PasswordFile != "" {
			return l, keyErrorf("basic_auth.password_file", "given with password: accepts one of the two")
		}
		if m.BearerToken != "" || m.BearerTokenFile != "" {
			return l, keyErrorf("basic_auth", "given with a bearer token: accepts one of the two")
		}
	}
	if m.Scope != nil {
		sc, err := m.Scope.compile()
		if err != nil {
			return l, err
		}
		l.scope = sc
	}
	if (m.BasicAuth != nil || m.BearerToken != "" || m.BearerTokenFile != "") && m.Scope == nil {
		const scope = "give the module scope: {scheme: https, host: REGEXP, port: PORT}, the parts of the target URLs its credentials may go to"
		if m.Allow != "" {
			return l, errors.New("credentials with an allow alone, which a query or a path can satisfy (a regular expression over the whole URL): " + scope)
		}
		return l, errors.New("credentials without a scope: " + scope)
	}
	if m.Allow != "" && !admitsQuery(m.Allow) {
		return l, keyErrorf("allow", "%s", noQuery)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "/", nil)
	if err != nil {
		return l, err
	}
	if err := m.authorize(req); err != nil {
		return l, err
	}
	_, err = m.TLS.load(ctx)
	return l, err
}

// debug is the form the module asks for.
func (m Module) debug() int {
	if m.Debug == nil {
		return DefaultDebug
	}
	return *m.Debug
}

// authorize sets the module's credentials on req, reading their files now,
// within req's context, so that a rotated password or token is taken at
// the next probe. A file is read afresh each time rather than kept: it is
// at most 64 KiB, and a regular file, or refused.
func (m Module) authorize(req *http.Request) error {
	switch {
	case m.BasicAuth != nil:
		pass, err := secret(req.Context(), m.BasicAuth.Password, m.BasicAuth.PasswordFile, "basic_auth.password_file")
		if err != nil {
			return err
		}
		req.SetBasicAuth(m.BasicAuth.Username, string(pass))
	case m.BearerToken != "" || m.BearerTokenFile != "":
		token, err := secret(req.Context(), m.BearerToken, m.BearerTokenFile, "bearer_token_file")
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+string(token))
	}
	return nil
}

// secret is s, or the content of file (without its trailing newline) when
// file is set; the error names the key, never the file nor its content.
func secret(ctx context.Context, s Secret, file, key string) (Secret, error) {
	if file == "" {
		return s, nil
	}
	b, err := readFile(ctx, file, maxSecretBytes)
	if err != nil {
		return "", &keyError{key, err}
	}
	return Secret(strings.TrimRight(string(b), "\r\n")), nil
}

// config is the tls.Config of the settings, nil for none: the system's
// roots, no client certificate.
func (t TLSConfig) config() (*tls.Config, error) { return t.load(context.Background()) }

// load is config, its files read within ctx.
func (t TLSConfig) load(ctx context.Context) (*tls.Config, error) {
	if t == (TLSConfig{}) {
		return nil, nil
	}
	c := &tls.Config{ServerName: t.ServerName, InsecureSkipVerify: t.InsecureSkipVerify, MinVersion: tls.VersionTLS12}
	if t.CAFile != "" {
		pem, err := readFile(ctx, t.CAFile, maxPEMBytes)
		if err != nil {
			return nil, &keyError{"tls_config.ca_file", err}
		}
		c.RootCAs = x509.NewCertPool()
		if !c.RootCAs.AppendCertsFromPEM(pem) {
			return nil, keyErrorf("tls_config.ca_file", "no PEM certificate in it")
		}
	}
	if (t.CertFile == "") != (t.KeyFile == "") {
		return nil, keyErrorf("tls_config", "cert_file and key_file: accepts both or neither")
	}
	if t.CertFile != "" {
		certPEM, err := readFile(ctx, t.CertFile, maxPEMBytes)
		if err != nil {
			return nil, &keyError{"tls_config.cert_file", err}
		}
		keyPEM, err := readFile(ctx, t.KeyFile, maxPEMBytes)
		if err != nil {
			return nil, &keyError{"tls_config.key_file", err}
		}
		cert, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			if strings.Contains(err.Error(), "after skipping PEM blocks") { // of types it names, from the file
				err = errors.New("no certificate in it")
			}
			return nil, keyErrorf("tls_config.cert_file", "not loaded with key_file: %w", err)
		}
		c.Certificates = []tls.Certificate{cert}
	}
	return c, nil
}

// compile is the regular expression expr matched against a whole string,
// flags (such as "(?i)") first. Its error says what is wrong, not where in
// expr, which it does not quote.
func compile(expr, flags string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(flags + `^(?:` + expr + `)$`)
	if err != nil {
		var se *syntax.Error
		if errors.As(err, &se) {
			return nil, fmt.Errorf("not a regular expression: %s", se.Code)
		}
		return nil, errors.New("not a regular expression")
	}
	return re, nil
}

// cutLast is s cut around the last sep in it, as strings.Cut cuts around
// the first: "" and s when there is none.
func cutLast(s, sep string) (before, after string, found bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return "", s, false
	}
	return s[:i], s[i+len(sep):], true
}
