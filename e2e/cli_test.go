package e2e

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestExitStatus checks how the connleak process ends on an error: one line
// on standard error, "connleak: " and the error, and the exit status the
// command says (1, or vet's 2). The errors themselves are package cli's
// tests, in process; this is Main's part, vet-tool mode's check included:
// an argument ending in .cfg reaches the command it was given to.
func TestExitStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		env  []string
		code int
		want string
	}{
		{nil, []string{"BIND_ADDRESS=127.0.0.1:0", "UPSTREAM_URL=http://user:s3cret@127.0.0.1:1"}, 1, "UPSTREAM_URL"},
		{nil, []string{"BIND_ADDRESS=127.0.0.1:0\nlevel=ERROR msg=forged"}, 1, "BIND_ADDRESS"},
		{[]string{"demo", "-n", "0"}, nil, 1, "-n"},
		{[]string{"diagnose", "dump.cfg"}, nil, 1, "no such file or directory"},
		{[]string{"diagnose", "vet.cfg"}, nil, 1, "no such file or directory"},
		{[]string{"diagnose", "a.txt", "b.cfg"}, nil, 1, "no such file or directory"},
		{[]string{"vet", "./doesnotexist"}, nil, 2, "matched no packages"},
	}
	for _, tt := range tests {
		cmd := exec.Command(exe, tt.args...)
		cmd.Env, cmd.Dir = tt.env, t.TempDir()
		if tt.env == nil {
			cmd.Env = os.Environ()
		}
		out, err := cmd.CombinedOutput()
		if exitCode(err) != tt.code || strings.Count(string(out), "\n") != 1 || !strings.HasPrefix(string(out), "connleak: ") || !strings.Contains(string(out), tt.want) || strings.Contains(string(out), "s3cret") {
			t.Errorf("connleak %q with %q: exit %d, %q; want exit %d and one line saying %q", tt.args, tt.env, exitCode(err), out, tt.code, tt.want)
		}
	}
}
