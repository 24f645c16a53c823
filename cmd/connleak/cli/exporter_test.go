package cli

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/connleak/connleak/connleaktest"
	"github.com/connleak/connleak/internal/testutil"
)

// TestRunExporter checks that connleak exporter serves probes of its own
// process until its context is done, then returns nil, leaving no
// connection open.
func TestRunExporter(t *testing.T) {
	connleaktest.Check(t, noIdle)
	addr, stop := serving(t, testutil.Getenv(), "exporter", "-listen", "127.0.0.1:0")
	base := "http://" + addr
	// The exporter serves no goroutine profile: the probe of its own
	// fails, and says so in a 200 with probe_success 0.
	for target, want := range map[string]string{
		base + "/debug/pprof/goroutine":              "probe_success 0",
		"http://10.0.0.1:6060/debug/pprof/goroutine": "is not allowed",
	} {
		req, _ := http.NewRequest(http.MethodGet, base+"/probe?target="+url.QueryEscape(target), nil)
		req.Close = true
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), want) {
			t.Errorf("probe %s: %d %s, want %q", target, resp.StatusCode, b, want)
		}
	}
	stop()
}

// TestExporterBadSettings checks that a bad flag or configuration stops
// connleak exporter at start with one line that names it, and exit status 1.
func TestExporterBadSettings(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yml")
	if err := os.WriteFile(bad, []byte("modules:\n  prod:\n    debug: 7\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-allow", "(", "-listen", "127.0.0.1:0"}, `exporter: allow "("`},
		{[]string{"-allow", `http://10\.[0-9.]+:6060/debug/pprof/goroutine`, "-listen", "127.0.0.1:0"}, `exporter: allow "http://10\\.[0-9.]+:6060/debug/pprof/goroutine": admits no URL with a query, and every URL fetched has one, its form (?debug=N): add (\?debug=[012])? after the path`},
		{[]string{"-listen", busy.Addr().String()}, "-listen \"" + busy.Addr().String() + "\": listen tcp"},
		{[]string{"-listen", "127.0.0.1:99999"}, "-listen"},
		{[]string{"-config", filepath.Join(dir, "none.yml")}, "none.yml: no such file or directory"},
		{[]string{"-config", bad}, `line 3: modules.prod.debug: a number out of range: debug accepts 0, 1 or 2`},
		{[]string{"-timeout", "0s"}, "-timeout 0s: accepts a duration above 0"},
		{[]string{"-max-bytes", "-1"}, "-max-bytes -1: accepts a count above 0"},
		{[]string{"-timeout", "soon"}, `invalid value "soon" for flag -timeout: parse error (connleak exporter -h lists the flags)`},
		{[]string{"-bogus"}, "flag provided but not defined: -bogus (connleak exporter -h lists the flags)"},
		{[]string{"probe"}, `exporter takes no arguments, got ["probe"]`},
	}
	for _, tt := range tests {
		r := run(t, "", testutil.Getenv(), nil, append([]string{"exporter"}, tt.args...)...)
		if r.code != 1 || strings.Count(r.out(), "\n") != 1 || !strings.HasPrefix(r.out(), "connleak: ") || !strings.Contains(r.out(), tt.want) {
			t.Errorf("%q: exit %d, %q; want exit 1 and one line naming %s", tt.args, r.code, r.out(), tt.want)
		}
	}
}
