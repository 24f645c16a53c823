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

// TestWaitTimes gives the go1.26.8 debug=2 dump the wait times a dump of a
// long-running service shows: the oldest wait is said, with what it rules
// out.
func TestWaitTimes(t *testing.T) {
	b, err := os.ReadFile("testdata/dumps/go1.26.8.debug2.txt")
	if err != nil {
		t.Fatal(err)
	}
	aged := strings.NewReplacer("[IO wait]:", "[IO wait, 106 minutes]:", "[select]:", "[select, 3 minutes]:").Replace(string(b))
	r, err := Read(strings.NewReader(aged))
	if err != nil {
		t.Fatal(err)
	}
	idle, _ := r.Finding(scenario.IdleClientConnections)
	if idle.OldestWaitMinutes != 106 || !strings.Contains(idle.Message, "idle for 106 minutes: no IdleConnTimeout shorter than that is in force") {
		t.Errorf("idle-client-connections: %d minutes, %q; want 106 and what it rules out", idle.OldestWaitMinutes, idle.Message)
	}
	body, _ := r.Finding(scenario.BodiesNotClosed)
	if body.OldestWaitMinutes != 3 || !strings.Contains(body.Message, "waited 3 minutes") {
		t.Errorf("response-bodies-not-closed: %d minutes, %q; want 3", body.OldestWaitMinutes, body.Message)
	}
	server, _ := r.Finding(scenario.IdleServerConnections)
	if !strings.Contains(server.Message, "106 minutes: no IdleTimeout") {
		t.Errorf("idle-server-connections: %q, want the 106 minutes and what they rule out", server.Message)
	}
}
