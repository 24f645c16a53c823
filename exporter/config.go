package exporter

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
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
//	    basic_auth:
//	      username: prometheus
//	      password_file: /etc/connleak/password
//	  internal:
//	    debug: 2
//	    bearer_token_file: /var/run/secrets/kubernetes.io/serviceaccount/token
//	    tls_config:
//	      ca_file: /etc/connleak/ca.pem
//	      cert_file: /etc/connleak/client.pem
//	      key_file: /etc/connleak/client-key.pem
//	      server_name: pprof.internal
//
// Passwords and tokens are never written back: not in a reply, not in a
// log line, not by %v (Secret).
type Module struct {
	// Debug is the form asked of a target whose URL does not say (with its
	// own ?debug=): 0, 1 or 2; DefaultDebug if not set.
	Debug *int `yaml:"debug"`
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

func (Secret) String() string            { return "<secret>" }
func (Secret) GoString() string          { return `"<secret>"` }
func (Secret) MarshalYAML() (any, error) { return "<secret>", nil }
func (Secret) MarshalText() ([]byte, error) {
	return []byte("<secret>"), nil
}

// builtinModules are the modules every exporter has unless its
// configuration redefines them.
func builtinModules() map[string]Module {
	waits := 2
	return map[string]Module{DefaultModule: {}, WaitsModule: {Debug: &waits}}
}

// LoadConfig reads a configuration file: its modules, with the built-in
// ones it does not redefine. An unknown key, a bad value or a file it
// names that cannot be read is an error that says which.
func LoadConfig(path string) (map[string]Module, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	var file struct {
		Modules map[string]Module `yaml:"modules"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&file); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("config %s: %w; it accepts modules: NAME: {debug, basic_auth, bearer_token, bearer_token_file, tls_config}", path, err)
	}
	modules := builtinModules()
	maps.Copy(modules, file.Modules)
	for _, name := range slices.Sorted(maps.Keys(file.Modules)) {
		if err := file.Modules[name].check(); err != nil {
			return nil, fmt.Errorf("config %s: module %q: %w", path, name, err)
		}
	}
	return modules, nil
}

// check refuses a module that cannot work: a form other than 0, 1 and 2,
// two secrets where one is accepted, a file that cannot be read, TLS files
// that do not load.
func (m Module) check() error {
	if m.Debug != nil && (*m.Debug < 0 || *m.Debug > 2) {
		return fmt.Errorf("debug %d: accepts 0, 1 or 2", *m.Debug)
	}
	if m.BearerToken != "" && m.BearerTokenFile != "" {
		return errors.New("bearer_token and bearer_token_file: accepts one of the two")
	}
	if m.BasicAuth != nil {
		if m.BasicAuth.Username == "" {
			return errors.New("basic_auth: needs a username")
		}
		if m.BasicAuth.Password != "" && m.BasicAuth.PasswordFile != "" {
			return errors.New("basic_auth: password and password_file: accepts one of the two")
		}
		if m.BearerToken != "" || m.BearerTokenFile != "" {
			return errors.New("basic_auth and a bearer token: accepts one of the two")
		}
	}
	if err := m.authorize(&http.Request{Header: http.Header{}}); err != nil {
		return err
	}
	_, err := m.TLS.config()
	return err
}

// debug is the form the module asks for.
func (m Module) debug() int {
	if m.Debug == nil {
		return DefaultDebug
	}
	return *m.Debug
}

// authorize sets the module's credentials on req, reading their files now,
// so that a rotated password or token is taken at the next probe.
func (m Module) authorize(req *http.Request) error {
	switch {
	case m.BasicAuth != nil:
		pass, err := secret(m.BasicAuth.Password, m.BasicAuth.PasswordFile, "basic_auth: password_file")
		if err != nil {
			return err
		}
		req.SetBasicAuth(m.BasicAuth.Username, string(pass))
	case m.BearerToken != "" || m.BearerTokenFile != "":
		token, err := secret(m.BearerToken, m.BearerTokenFile, "bearer_token_file")
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+string(token))
	}
	return nil
}

// secret is s, or the content of file (without its trailing newline) when
// file is set; the error names the key, and the file, never its content.
func secret(s Secret, file, key string) (Secret, error) {
	if file == "" {
		return s, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return "", fmt.Errorf("%s %s: %w", key, file, err)
	}
	return Secret(strings.TrimRight(string(b), "\r\n")), nil
}

// config is the tls.Config of the settings, nil for none: the system's
// roots, no client certificate.
func (t TLSConfig) config() (*tls.Config, error) {
	if t == (TLSConfig{}) {
		return nil, nil
	}
	c := &tls.Config{ServerName: t.ServerName, InsecureSkipVerify: t.InsecureSkipVerify, MinVersion: tls.VersionTLS12}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("tls_config: ca_file: %w", err)
		}
		c.RootCAs = x509.NewCertPool()
		if !c.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("tls_config: ca_file %s: no PEM certificate in it", t.CAFile)
		}
	}
	if (t.CertFile == "") != (t.KeyFile == "") {
		return nil, errors.New("tls_config: cert_file and key_file: accepts both or neither")
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("tls_config: cert_file %s and key_file %s: %w", t.CertFile, t.KeyFile, err)
		}
		c.Certificates = []tls.Certificate{cert}
	}
	return c, nil
}
