//go:build unix

package exporter_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/connleak/connleak/exporter"
	"github.com/connleak/connleak/internal/testutil"
)

// badFile is a file the exporter must refuse to read, and what its
// one-line error says of it.
type badFile struct{ name, path, want string }

// badFiles makes, in dir, each kind of bad file: a device that never ends,
// a named pipe no one writes to, a directory, a regular file far over any
// bound (sparse: it takes no room), and one that is not there.
func badFiles(t *testing.T, dir string) []badFile {
	t.Helper()
	fifo := testutil.FIFO(t, filepath.Join(dir, "fifo"))
	huge := testutil.SparseFile(t, filepath.Join(dir, "huge"), 16<<30)
	return []badFile{
		{"dev-zero", "/dev/zero", "a character device: accepts a regular file of at most"},
		{"fifo", fifo, "a named pipe: accepts a regular file of at most"},
		{"directory", dir, "a directory: accepts a regular file of at most"},
		{"huge", huge, "17179869184 bytes: accepts a regular file of at most"},
		{"missing", filepath.Join(dir, "none"), "no such file or directory"},
	}
}

// TestBadFiles names each bad file as the configuration, and as each file
// a configuration names: each is refused at once, in one line that says
// what the file is and what is accepted.
func TestBadFiles(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.pem")
	if err := os.WriteFile(junk, []byte("not PEM\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Each file a configuration may name, as a configuration naming the
	// bad file %[1]s, and a file that reads %[2]s; the -config file itself
	// is the bad one for "config".
	tests := []struct{ key, yaml, limit string }{
		{"config", "", "1 MiB"},
		{"bearer_token_file", "modules:\n  prod:\n    scope: {scheme: http, host: x}\n    bearer_token_file: %[1]s\n", "64 KiB"},
		{"password_file", "modules:\n  prod:\n    scope: {scheme: http, host: x}\n    basic_auth: {username: u, password_file: %[1]s}\n", "64 KiB"},
		{"ca_file", "modules:\n  prod:\n    tls_config: {ca_file: %[1]s}\n", "4 MiB"},
		{"cert_file", "modules:\n  prod:\n    tls_config: {cert_file: %[1]s, key_file: %[2]s}\n", "4 MiB"},
		{"key_file", "modules:\n  prod:\n    tls_config: {cert_file: %[2]s, key_file: %[1]s}\n", "4 MiB"},
	}
	for _, tt := range tests {
		for _, bad := range badFiles(t, t.TempDir()) {
			t.Run(tt.key+"="+bad.name, func(t *testing.T) {
				path, want := bad.path, bad.want
				if tt.yaml != "" {
					path = filepath.Join(t.TempDir(), "connleak.yml")
					if err := os.WriteFile(path, fmt.Appendf(nil, tt.yaml, bad.path, junk), 0o600); err != nil {
						t.Fatal(err)
					}
				}
				if bad.name != "missing" {
					want += " " + tt.limit
				}
				got := loadWithin(t, path, 5*time.Second) // a read that blocks, or reads /dev/zero, never ends
				if !strings.Contains(got, want) || strings.Contains(got, "\n") {
					t.Errorf("got %q, want one line with %q", got, want)
				}
			})
		}
	}
}

// loadWithin is LoadConfig's error for path, or a failure of the test if
// it has not returned within d.
func loadWithin(t *testing.T, path string, d time.Duration) string {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := exporter.LoadConfig(context.Background(), path)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("loaded, want an error")
		}
		return err.Error()
	case <-time.After(d):
		t.Fatalf("LoadConfig still reading after %v", d)
		return ""
	}
}

// TestLoadConfigCanceled checks that a configuration is not read once the
// context is done: the signal that ends the command ends its read.
func TestLoadConfigCanceled(t *testing.T) {
	path := filepath.Join(t.TempDir(), "connleak.yml")
	if err := os.WriteFile(path, []byte("modules:\n  prod: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := exporter.LoadConfig(ctx, path); err == nil || !strings.Contains(err.Error(), "not read: context canceled") {
		t.Errorf("LoadConfig with its context done: %v, want not read", err)
	}
}

// TestSecretFileAtProbe replaces a module's token file, after the start,
// by each bad file: the probes fail at once, each with a line in the log
// that says what the file is, and the target gets no request.
func TestSecretFileAtProbe(t *testing.T) {
	target, fetched := dumpTarget(t, "../diagnose/testdata/dumps/go1.26.8.debug1.txt")
	dir := t.TempDir()
	token := filepath.Join(dir, "token")
	if err := os.WriteFile(token, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(target)
	port, _ := strconv.Atoi(u.Port())
	scope := &exporter.Scope{Scheme: "http", Host: `127\.0\.0\.1`, Port: port}
	srv, log := serve(t, exporter.Config{Modules: map[string]exporter.Module{"prod": {Scope: scope, BearerTokenFile: token}}})
	for _, bad := range badFiles(t, t.TempDir()) {
		t.Run(bad.name, func(t *testing.T) {
			if err := os.Remove(token); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(bad.path, token); err != nil {
				t.Fatal(err)
			}
			before := len(log.String())
			if m := probe(t, srv, target, "module", "prod"); m["probe_success"] != 0 {
				t.Errorf("%v, want probe_success 0", m)
			}
			if line := lineWith(log.String()[before:], "module=prod"); !strings.Contains(line, bad.want) || strings.Contains(line, "s3cret") {
				t.Errorf("log line %q, want one with %q", line, bad.want)
			}
		})
	}
	if n := fetched.Load(); n != 0 {
		t.Errorf("the target was fetched %d times, want never", n)
	}
}
