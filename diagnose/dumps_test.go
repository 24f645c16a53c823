package diagnose

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/connleak/connleak/dump"
)

// TestDumpsOfOtherVersions reads the dumps testdata/mkdump made with
// go1.21.13, go1.23.12, go1.26.8 and go1.27.3 (its doc comment says how),
// in each form:
// every kind of goroutine diagnose tells apart, counted and named the same
// way, whatever each version's frames, HTTP/2 package and header labels.
func TestDumpsOfOtherVersions(t *testing.T) {
	files, err := filepath.Glob("testdata/dumps/go*.*")
	if err != nil {
		t.Fatal(err)
	}
	versions := map[string]bool{}
	for _, file := range files {
		name := filepath.Base(file)
		version, kind, _ := strings.Cut(strings.TrimSuffix(strings.TrimSuffix(name, ".txt"), ".pb.gz"), ".debug")
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
			// mkdump's groups: 60 idle HTTP/1 connections, 12 held by
			// bodies, 15 HTTP/1 calls hanging, a queue of 10 behind one
			// more; 20 idle HTTP/2 connections and one carrying 5 calls
			// (a dump cannot say which connection a stream is on, so 5 of
			// the 21 count as busy, and 16 idle); 10 dials in a TLS handshake; on the
			// server, the other side of each, and 8 connections that sent
			// nothing.
			wantClient := Client{HTTP1: 88, HTTP2: 21, Idle: 76, BodyUnread: 12, InFlight: 21, Dialing: 10, WaitingForConn: 10, Handshaking: 10, IdleHTTP2: 16}
			wantServer := Server{HTTP1: 96, HTTP2: 21, Idle: 96, Active: 21, AwaitingRequest: 8, IdleHTTP2: 16}
			if r.Client != wantClient || r.Server != wantServer {
				t.Errorf("client %+v, server %+v;\nwant %+v and %+v", r.Client, r.Server, wantClient, wantServer)
			}
			want := strings.Join([]string{IdleClientConnections, BodiesNotClosed, IdleServerConnections, WaitingForConnection}, ",")
			if r.IDs() != want {
				t.Fatalf("findings %s, want %s", r.IDs(), want)
			}
			idle, _ := r.Finding(IdleClientConnections)
			body, _ := r.Finding(BodiesNotClosed)
			server, _ := r.Finding(IdleServerConnections)
			if !strings.Contains(server.Message, "8 of them wait for a request line") || !strings.Contains(server.Fix, "ReadHeaderTimeout") {
				t.Errorf("idle-server-connections: %q, fix %q; want the 8 that sent nothing, and what bounds them", server.Message, server.Fix)
			}
			labelled := kind == "debug=0" || kind == "debug=1" || kind == "traceback" && (version == "go1.26.8" || version == "go1.27.3")
			switch {
			case labelled: // debug=1's labels, or the goroutine headers' of GODEBUG=tracebacklabels=1
				if len(idle.Sites) < 2 || idle.Sites[0] != (Site{Labels: `{"caller":"leaky"}`, Count: 60}) || idle.Sites[1] != (Site{Labels: `{"caller":"leakyH2"}`, Count: 20}) {
					t.Errorf("idle sites %+v, want the 60 labelled caller=leaky, then the 20 caller=leakyH2", idle.Sites)
				}
				if len(body.Sites) != 1 || body.Sites[0] != (Site{Labels: `{"caller":"unreadBodies"}`, Count: 12}) {
					t.Errorf("body sites %+v, want the 12 labelled caller=unreadBodies", body.Sites)
				}
			case kind == "debug=2": // GODEBUG=tracebackancestors=5
				if len(idle.Sites) < 2 || idle.Sites[0].Function != "main.leaky" || idle.Sites[0].Count != 60 ||
					idle.Sites[0].File != "connleak/diagnose/testdata/mkdump/main.go" || idle.Sites[0].Line == 0 ||
					idle.Sites[1].Function != "main.leakyH2" || idle.Sites[1].Count != 20 {
					t.Errorf("idle sites %+v, want main.leaky's line, 60 times, then main.leakyH2's, 20", idle.Sites)
				}
				if len(body.Sites) != 1 || body.Sites[0].Function != "main.unreadBodies" || body.Sites[0].Count != 12 {
					t.Errorf("body sites %+v, want main.unreadBodies, 12 times", body.Sites)
				}
			default:
				if r.Sited || len(idle.Sites) != 0 {
					t.Errorf("a traceback without ancestors or labels has sites: %+v", idle.Sites)
				}
			}
		})
	}
	for _, v := range []string{"go1.21.13", "go1.23.12", "go1.26.8", "go1.27.3"} {
		if !versions[v] {
			t.Errorf("no dumps of %s in testdata/dumps: want debug=1, debug=2 and a traceback of each", v)
		}
	}
}

// TestWaitTimes gives the go1.26.8 debug=2 dump the wait times a dump of a
// long-running service shows: the oldest wait is said, with what it rules
// out, and the dials stuck that long are named.
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
	idle, _ := r.Finding(IdleClientConnections)
	if idle.OldestWaitMinutes != 106 || !strings.Contains(idle.Message, "idle for 106 minutes: no IdleConnTimeout shorter than that is in force") {
		t.Errorf("idle-client-connections: %d minutes, %q; want 106 and what it rules out", idle.OldestWaitMinutes, idle.Message)
	}
	body, _ := r.Finding(BodiesNotClosed)
	if body.OldestWaitMinutes != 3 || !strings.Contains(body.Message, "waited 3 minutes") {
		t.Errorf("response-bodies-not-closed: %d minutes, %q; want 3", body.OldestWaitMinutes, body.Message)
	}
	server, _ := r.Finding(IdleServerConnections)
	if !strings.Contains(server.Message, "106 minutes: no IdleTimeout") {
		t.Errorf("idle-server-connections: %q, want the 106 minutes and what they rule out", server.Message)
	}
	// mkdump's 10 dials in a TLS handshake, their reads 106 minutes old.
	dials, _ := r.Finding(DialsWithoutTimeout)
	if dials.Count != 10 || dials.OldestWaitMinutes != 106 || !strings.Contains(dials.Message, "10 of them in their TLS handshake") {
		t.Errorf("dials-without-timeout: %d dials, %d minutes, %q; want 10, 106, in their handshake", dials.Count, dials.OldestWaitMinutes, dials.Message)
	}
}

// TestOldestWait reads the oldest wait of each finding's goroutines from a
// Diagnosis, named or not: the aged debug=2 dump's, with every finding's
// threshold out of reach, and none from the debug=1 dump, which has no wait
// times.
func TestOldestWait(t *testing.T) {
	never := map[string]int{}
	for _, f := range Findings() {
		never[f.ID] = 1 << 30
	}
	for _, tc := range []struct {
		file, aged string
		want       map[string]time.Duration
	}{
		{"go1.26.8.debug2.txt", "[IO wait, 106 minutes]:", map[string]time.Duration{
			IdleClientConnections: 106 * time.Minute, BodiesNotClosed: 3 * time.Minute, IdleServerConnections: 106 * time.Minute,
			CallsWithoutTimeout: 3 * time.Minute, WaitingForConnection: 3 * time.Minute, DialsWithoutTimeout: 106 * time.Minute, "no-such-finding": 0,
		}},
		{"go1.26.8.debug1.txt", "", map[string]time.Duration{IdleClientConnections: 0, CallsWithoutTimeout: 0}},
	} {
		b, err := os.ReadFile(filepath.Join("testdata/dumps", tc.file))
		if err != nil {
			t.Fatal(err)
		}
		aged := strings.NewReplacer("[IO wait]:", tc.aged, "[select]:", "[select, 3 minutes]:").Replace(string(b))
		d := Diagnosis{Thresholds: never}
		format, err := dump.Read(strings.NewReader(aged), d.Add)
		if err != nil {
			t.Fatal(err)
		}
		if r := d.Report(format); len(r.Findings) != 0 || format.HasWaits() != (tc.aged != "") {
			t.Errorf("%s: findings %s, waits %v; want none named, and waits only in debug=2", tc.file, r.IDs(), format.HasWaits())
		}
		for id, want := range tc.want {
			if got := d.OldestWait(id); got != want {
				t.Errorf("%s: OldestWait(%s) = %v, want %v", tc.file, id, got, want)
			}
		}
	}
}

// TestNoSites reads the labelled debug=1 dump with and without sites: the
// same counts and findings, and no site at all without.
func TestNoSites(t *testing.T) {
	b, err := os.ReadFile("testdata/dumps/go1.26.8.debug1.txt")
	if err != nil {
		t.Fatal(err)
	}
	var with, without Diagnosis
	without.NoSites = true
	for _, d := range []*Diagnosis{&with, &without} {
		if _, err := dump.Read(strings.NewReader(string(b)), d.Add); err != nil {
			t.Fatal(err)
		}
	}
	w, wo := with.Report(dump.Grouped), without.Report(dump.Grouped)
	if !w.Sited || wo.Sited || w.Client != wo.Client || w.Server != wo.Server || w.IDs() != wo.IDs() {
		t.Fatalf("with sites %+v, without %+v; want the same counts, sites only with", w, wo)
	}
	for _, f := range wo.Findings {
		if len(f.Sites) != 0 {
			t.Errorf("%s: sites %v, want none", f.ID, f.Sites)
		}
	}
}
