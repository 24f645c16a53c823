package cli

import (
	"net"
	"strings"
	"testing"

	"github.com/connleak/connleak/internal/testutil"
)

// TestServeBadSettings checks that a bad setting stops serve at start with
// one line that names the variable, gives away no password and forges no
// other line, and exit status 1. (What each variable accepts is server's
// TestConfigFromEnvErrors.)
func TestServeBadSettings(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	tests := []struct {
		env  []string
		want string
	}{
		{[]string{"FORWARD_IDLE_CONN_TIMEOUT", "soon"}, "FORWARD_IDLE_CONN_TIMEOUT"},
		{[]string{"FORWARD_DELAY", "11s"}, "FORWARD_DELAY"},
		{[]string{"FORWARD_BODY", "keep"}, "FORWARD_BODY"},
		{[]string{"CONNECTION_CLOSE", "maybe"}, "CONNECTION_CLOSE"},
		{[]string{"BIND_ADDRESS", "127.0.0.1:99999"}, "BIND_ADDRESS"},
		{[]string{"BIND_ADDRESS", busy.Addr().String()}, "address already in use"},
		{[]string{"UPSTREAM_URL", "http://user:s3cret@127.0.0.1:1"}, "UPSTREAM_URL"},
		{[]string{"UPSTREAM_URL", "http://user:s3cret@127.0.0.1:1/?q=1"}, "UPSTREAM_URL"},
		{[]string{"UPSTREAM_URL", "http://user:s3cret@[::1"}, "UPSTREAM_URL"},
		{[]string{"BIND_ADDRESS", "127.0.0.1:0\nlevel=ERROR msg=forged"}, "BIND_ADDRESS"},
		{[]string{"SERVER_IDLE_TIMEOUT", "1s\nforged"}, "SERVER_IDLE_TIMEOUT"},
	}
	for _, tt := range tests {
		env := testutil.Getenv(append([]string{"BIND_ADDRESS", "127.0.0.1:0"}, tt.env...)...)
		if tt.env[0] == "BIND_ADDRESS" {
			env = testutil.Getenv(tt.env...)
		}
		r := run(t, "", env, nil, "serve")
		if r.code != 1 || strings.Count(r.out(), "\n") != 1 || !strings.HasPrefix(r.out(), "connleak: ") || !strings.Contains(r.out(), tt.want) || strings.Contains(r.out(), "s3cret") {
			t.Errorf("%q: exit %d, %q; want exit 1 and one line naming %s, no password", tt.env, r.code, r.out(), tt.want)
		}
	}
	if r := run(t, "", testutil.Getenv("BIND_ADDRESS", busy.Addr().String()), nil); !strings.Contains(r.out(), "BIND_ADDRESS") {
		t.Errorf("port in use: %q, want the line to name BIND_ADDRESS", r.out())
	}
}
