package diagnose

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"connleak/scenario"
)

// TestDumpsOfOtherVersions reads the dumps testdata/mkdump made with older
// Go toolchains and this one (its doc comment says how): the same leaks,
// named the same way, whatever the version's line numbers and frames.
func TestDumpsOfOtherVersions(t *testing.T) {
	files, err := filepath.Glob("testdata/dumps/go*.txt")
	if err != nil || len(files) < 6 {
		t.Fatalf("%d dumps in testdata/dumps (%v), want debug=1, debug=2 and a traceback of two Go versions at least", len(files), err)
	}
	versions := map[string]bool{}
	for _, file := range files {
		name := filepath.Base(file)
		version, kind, _ := strings.Cut(strings.TrimSuffix(name, ".txt"), ".debug")
		if strings.HasSuffix(name, ".traceback.txt") {
			version, kind = strings.TrimSuffix(name, ".traceback.txt"), "traceback"
		} else {
			kind = "debug=" + kind
		}
		versions[version] = true
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			r, err := Read(f)
			if err != nil {
				t.Fatal(err)
			}
			if r.Format != kind {
				t.Errorf("format %s, want %s", r.Format, kind)
			}
			wantClient := Client{HTTP1: 72, Idle: 60, BodyUnread: 12}
			wantServer := Server{HTTP1: 72, Idle: 72}
			if r.Client != wantClient || r.Server != wantServer {
				t.Errorf("client %+v, server %+v; want %+v and %+v", r.Client, r.Server, wantClient, wantServer)
			}
			want := scenario.IdleClientConnections + "," + scenario.BodiesNotClosed + "," + scenario.IdleServerConnections
			if r.IDs() != want {
				t.Fatalf("findings %s, want %s", r.IDs(), want)
			}
			idle, _ := r.Finding(scenario.IdleClientConnections)
			body, _ := r.Finding(scenario.BodiesNotClosed)
			switch kind {
			case "debug=1": // labels
				if len(idle.Sites) != 1 || idle.Sites[0] != (Site{Labels: `{"caller":"leaky"}`, Count: 60}) {
					t.Errorf("idle sites %+v, want the 60 labelled caller=leaky", idle.Sites)
				}
			case "debug=2": // GODEBUG=tracebackancestors=5
				if len(idle.Sites) != 1 || idle.Sites[0].Function != "main.leaky" || idle.Sites[0].Count != 60 ||
					idle.Sites[0].File != "connleak/diagnose/testdata/mkdump/main.go" || idle.Sites[0].Line == 0 {
					t.Errorf("idle sites %+v, want main.leaky's line, 60 times", idle.Sites)
				}
				if len(body.Sites) != 1 || body.Sites[0].Function != "main.unreadBodies" || body.Sites[0].Count != 12 {
					t.Errorf("body sites %+v, want main.unreadBodies, 12 times", body.Sites)
				}
			case "traceback":
				if r.Sited || len(idle.Sites) != 0 {
					t.Errorf("a traceback without ancestors has sites: %+v", idle.Sites)
				}
			}
		})
	}
	if !versions["go1.21.13"] || len(versions) < 2 {
		t.Errorf("dumps of %v, want go1.21.13 and a newer version", versions)
	}
}
