package exporter_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/connleak/connleak/exporter"
)

// recorder is a target that serves a dump, whatever it is asked, and keeps
// the Authorization header of each request.
type recorder struct {
	*httptest.Server
	mu   sync.Mutex // guards auth
	auth []string
}

func newRecorder(t *testing.T, dump []byte) *recorder {
	t.Helper()
	r := &recorder{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.auth = append(r.auth, req.Header.Get("Authorization"))
		r.mu.Unlock()
		w.Write(dump)
	}))
	t.Cleanup(r.Close)
	return r
}

// requests is the Authorization header of each request so far.
func (r *recorder) requests() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.auth...)
}

// TestScope checks that a module's credentials go to the targets of its
// scope only, by the parts of their parsed URL: each way of writing
// another host into a URL that a pattern of the whole URL would match is
// refused, and never fetched, and each way of writing a host of the scope
// otherwise is taken as that host. -allow admits everything here: the
// modules' scopes alone decide.
func TestScope(t *testing.T) {
	dump, err := os.ReadFile("../diagnose/testdata/dumps/go1.26.8.debug1.txt")
	if err != nil {
		t.Fatal(err)
	}
	here, elsewhere := newRecorder(t, dump), newRecorder(t, dump)
	in, out := strings.TrimPrefix(here.URL, "http://127.0.0.1:"), strings.TrimPrefix(elsewhere.URL, "http://127.0.0.1:")
	const internal, herePass = "s3cret-internal", "s3cret-here"
	port, _ := strconv.Atoi(in)
	modules := map[string]exporter.Module{
		"internal": {
			Scope:     &exporter.Scope{Scheme: "http", Host: `[a-z0-9-]+\.pprof\.internal`, Port: 6060},
			BasicAuth: &exporter.BasicAuth{Username: "prometheus", Password: internal},
		},
		"here": {
			Scope:     &exporter.Scope{Scheme: "http", Host: `127\.0\.0\.1`, Port: port},
			BasicAuth: &exporter.BasicAuth{Username: "prometheus", Password: herePass},
		},
		"local": {
			Scope:     &exporter.Scope{Scheme: "http", Host: `localhost`, Port: port},
			BasicAuth: &exporter.BasicAuth{Username: "prometheus", Password: herePass},
		},
		"web": { // port 80, http's
			Scope:     &exporter.Scope{Scheme: "http", Host: `127\.0\.0\.1`},
			BasicAuth: &exporter.BasicAuth{Username: "prometheus", Password: herePass},
		},
	}
	srv, log := serve(t, exporter.Config{Allow: `.*`, Modules: modules, Timeout: 2 * time.Second})
	const goroutine = "/debug/pprof/goroutine"
	tests := []struct {
		module, target string
		code           int
		want           string // in the reply of a refused probe
	}{
		// The three: a fragment, a query, a path holding what the
		// module's allow asked for.
		{"internal", "http://127.0.0.1:" + out + "/#x.pprof.internal:6060" + goroutine, 400, "a fragment (#...) is refused"},
		{"internal", "http://127.0.0.1:" + out + "/?x.pprof.internal:6060" + goroutine, 403, "its host 127.0.0.1 does not match the module's scope.host"},
		{"internal", "http://127.0.0.2:" + out + goroutine + "/x.pprof.internal:6060" + goroutine, 403, "its host 127.0.0.2 does not match"},
		{"internal", "http://127.0.0.1:" + out + goroutine + "/x.pprof.internal:6060" + goroutine, 403, "its host 127.0.0.1 does not match"},
		{"internal", "http://127.0.0.1:" + out + goroutine + "?host=x.pprof.internal", 403, "its host 127.0.0.1 does not match"},
		{"internal", "http://127.0.0.1:" + out + "/..%2f..%2fx.pprof.internal:6060" + goroutine, 403, "its host 127.0.0.1 does not match"},
		// User information, and what url.Parse makes of its tricks.
		{"internal", "http://x.pprof.internal:6060@127.0.0.1:" + out + goroutine, 400, "credentials in a target are refused"},
		{"internal", "http://x.pprof.internal:6060%40127.0.0.1:" + out + goroutine, 400, "not a URL"},
		{"internal", "http://127.0.0.1:" + out + `\@x.pprof.internal:6060` + goroutine, 400, "not a URL"},
		{"internal", "http://127.0.0.1:" + out + "%23@x.pprof.internal:6060" + goroutine, 400, "credentials in a target are refused"},
		// A host that ends, or starts, with the scope's.
		{"internal", "http://x.pprof.internal.127.0.0.1.nip.io:" + out + goroutine, 403, "its host x.pprof.internal.127.0.0.1.nip.io does not match"},
		{"internal", "http://127.0.0.1.x.pprof.internal:" + out + goroutine, 403, "its host 127.0.0.1.x.pprof.internal does not match"},
		// Percent-encoding, and names that are not ASCII.
		{"internal", "http://x.pprof.internal%2e127.0.0.1:" + out + goroutine, 400, "not a URL"},
		{"internal", "http://x%C3%A9.pprof.internal:6060" + goroutine, 400, "host: accepts a DNS name of ASCII letters"},
		// IPv6.
		{"internal", "http://[x.pprof.internal]:6060" + goroutine, 400, "not a URL"},
		{"here", "http://[::ffff:127.0.0.1]:" + in + goroutine, 403, "its host ::ffff:127.0.0.1 does not match"},
		{"internal", "http://[fe80::1%25eth0]:6060" + goroutine, 400, "host: accepts an IPv6 address without a zone"},
		// Numbers a resolver may read as IPv4 addresses, and a trailing dot
		// after one.
		{"here", "http://127.1:" + in + goroutine, 400, "host: accepts a DNS name"},
		{"here", "http://2130706433:" + in + goroutine, 400, "host: accepts a DNS name"},
		{"here", "http://0x7f.0.0.1:" + in + goroutine, 400, "host: accepts a DNS name"},
		{"here", "http://127.000.0.1:" + in + goroutine, 400, "host: accepts a DNS name"},
		{"here", "http://127.0.0.1.:" + in + goroutine, 400, "an IP address with a trailing dot"},
		// The port, written or not.
		{"internal", "http://x.pprof.internal" + goroutine, 403, "its port 80 is not the module's scope.port 6060"},
		{"internal", "http://x.pprof.internal:443" + goroutine, 403, "its port 443 is not"},
		{"web", "http://127.0.0.1:" + out + goroutine, 403, "its port " + out + " is not the module's scope.port 80"},
		{"web", "http://127.0.0.1" + goroutine, 200, ""},
		{"web", "http://127.0.0.1:80" + goroutine, 200, ""},
		{"web", "http://127.0.0.1:0080" + goroutine, 200, ""},
		{"web", "http://127.0.0.1:" + goroutine, 200, ""},
		{"here", "http://127.0.0.1:0" + goroutine, 400, "port: accepts 1 to 65535"},
		// The scheme.
		{"here", "https://127.0.0.1:" + in + goroutine, 403, "its scheme https is not the module's scope.scheme http"},
		// The path, and .. in it.
		{"here", "http://127.0.0.1:" + in + goroutine + "/../../../debug/pprof/profile", 403, "its path /debug/pprof/profile does not match the module's scope.path"},
		{"here", "http://127.0.0.1:" + in + goroutine + "/%2e%2e/profile", 403, "its path /debug/pprof/profile does not match"},
		{"here", "http://127.0.0.1:" + in + "/admin", 403, "its path /admin does not match"},
		// A path of the scope written otherwise than it is matched, which a
		// server that routes by the path as written reads another way.
		{"here", "http://127.0.0.1:" + in + goroutine + "/", 403, "its path /debug/pprof/goroutine/ is written otherwise than it is matched"},
		{"here", "http://127.0.0.1:" + in + "/x/.." + goroutine, 403, "its path /x/../debug/pprof/goroutine is written otherwise"},
		{"here", "http://127.0.0.1:" + in + "/admin/%2e%2e" + goroutine, 403, "its path /admin/%2e%2e/debug/pprof/goroutine is written otherwise"},
		{"here", "http://127.0.0.1:" + in + "/admin%2F..%2Fdebug/pprof/goroutine", 403, "is written otherwise"},
		{"here", "http://127.0.0.1:" + in + "/debug%2Fpprof%2Fgoroutine", 403, "is written otherwise"},
		{"here", "http://127.0.0.1:" + in + "//debug/pprof/goroutine", 403, "is written otherwise"},
		// The scope's own host, however written: taken, and fetched.
		{"here", "http://127.0.0.1:" + in + goroutine, 200, ""},
		{"here", "HTTP://127.0.0.1:" + in + goroutine, 200, ""},
		{"here", "http://127.0.0.1:" + in + goroutine + "?debug=1", 200, ""},
		{"local", "http://LOCALHOST:" + in + goroutine, 200, ""},
		{"local", "http://localhost.:" + in + goroutine, 200, ""}, // fetched if the resolver knows localhost.
	}
	fetched := 0 // the probes that read a profile: each from the target of the scope
	for _, tt := range tests {
		t.Run(tt.module+" "+tt.target, func(t *testing.T) {
			code, body := get(t, srv, "/probe?module="+tt.module+"&target="+url.QueryEscape(tt.target), "")
			if code != tt.code || !strings.Contains(body, tt.want) || strings.Contains(body, "s3cret") {
				t.Errorf("%d %q; want %d with %q", code, body, tt.code, tt.want)
			}
			if code != http.StatusOK {
				return
			}
			switch ok := parse(t, body)["probe_success"] == 1; {
			case ok:
				fetched++
			case tt.module == "here":
				t.Errorf("probe_success 0, want the profile of the target of the scope: %s", body)
			}
		})
	}
	if got := elsewhere.requests(); len(got) != 0 {
		t.Errorf("the target outside every scope got %d requests (%q), want none", len(got), got)
	}
	got := here.requests()
	if len(got) != fetched {
		t.Errorf("the target of the scope got %d requests, want %d", len(got), fetched)
	}
	for _, auth := range got {
		if user, pass, ok := (&http.Request{Header: http.Header{"Authorization": {auth}}}).BasicAuth(); !ok || user != "prometheus" || pass != herePass {
			t.Errorf("the target of the scope got Authorization %q, want its own module's password", auth)
		}
	}
	if strings.Contains(log.String(), "s3cret") {
		t.Errorf("a password is in the log: %s", log.String())
	}
}
