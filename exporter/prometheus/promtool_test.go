// Package prometheus_test checks the Prometheus files of this folder: the
// configurations and the rules pass promtool, the rules' unit tests
// (alerts_test.yml) pass, the Kubernetes relabelling makes the targets its
// comments promise, and alerts.yml has an alert for each finding of
// diagnose. The folder holds no Go code but these tests.
package prometheus_test

import (
	"bytes"
	"context"
	"github.com/connleak/connleak/internal/testutil"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// promtoolTimeout bounds one run of promtool: each takes well under a
// second on these files.
const promtoolTimeout = time.Minute

// promtool returns the path of promtool, or skips the test where there is
// none (fails it in CI, where .ci/run installs Debian's prometheus).
func promtool(t *testing.T) string {
	t.Helper()
	return testutil.Command(t, "promtool", "prometheus")
}

// runPromtool runs promtool with args in this folder, and returns its
// standard output, its standard error, and whether it exited 0.
func runPromtool(t *testing.T, args ...string) (stdout, stderr string, ok bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), promtoolTimeout)
	defer cancel()
	var out, errOut bytes.Buffer
	cmd := exec.CommandContext(ctx, promtool(t), args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if err != nil {
		if _, exited := err.(*exec.ExitError); !exited {
			t.Fatalf("promtool %s: %v", strings.Join(args, " "), err)
		}
	}
	return out.String(), errOut.String(), err == nil
}

// noKubernetes is what a promtool built without Kubernetes discovery, as
// Debian's is, says of a kubernetes_sd_configs.
const noKubernetes = "field kubernetes_sd_configs not found"

// TestPromtool runs promtool's checks on each file, as an operator would
// before loading them: each must pass.
func TestPromtool(t *testing.T) {
	promtool(t)
	for _, args := range [][]string{
		{"check", "config", "prometheus.yml"},
		{"check", "config", "kubernetes.yml"},
		{"check", "rules", "alerts.yml"},
		{"test", "rules", "alerts_test.yml"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			stdout, stderr, ok := runPromtool(t, args...)
			if !ok && args[2] == "kubernetes.yml" && strings.Contains(stdout+stderr, noKubernetes) {
				// Debian's promtool cannot read the discovery; check the
				// rest of the file, with the pods from a file instead.
				t.Logf("this promtool has no Kubernetes discovery (%s): checking kubernetes.yml with file_sd_configs in its place", noKubernetes)
				args = []string{"check", "config", fileSDConfig(t, t.TempDir(), nil)}
				stdout, stderr, ok = runPromtool(t, args...)
			}
			if !ok {
				t.Fatalf("promtool %s failed:\n%s%s", strings.Join(args, " "), stdout, stderr)
			}
			t.Logf("promtool %s:\n%s", strings.Join(args, " "), stdout)
		})
	}
}
