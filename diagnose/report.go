package diagnose

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/connleak/connleak/dump"
)

// Report is what a dump says of its program's HTTP connections.
type Report struct {
	Goroutines int       `json:"goroutines"`
	Format     string    `json:"format"`
	Client     Client    `json:"client"`
	Server     Server    `json:"server"`
	Findings   []Finding `json:"findings"`
	// Sited says whether the findings can tell where their connections were
	// made: one of them at least lists a site.
	Sited bool `json:"sited"`
	// Source is the file, URL or standard input the dump came from.
	Source string `json:"source,omitempty"`
}

// Read diagnoses the dump r holds, in any format the dump package reads,
// one goroutine at a time.
func Read(r io.Reader) (Report, error) {
	return ReadContext(context.Background(), r)
}

// ReadContext is Read until ctx ends: then it stops, whatever it was
// reading, with ctx's error (dump.ReadContext).
func ReadContext(ctx context.Context, r io.Reader) (Report, error) {
	var d Diagnosis
	return d.read(ctx, r)
}

// read adds every goroutine of the dump r holds, within ctx, and returns
// the report.
func (d *Diagnosis) read(ctx context.Context, r io.Reader) (Report, error) {
	format, err := dump.ReadContext(ctx, r, d.Add)
	if err != nil {
		return Report{}, err
	}
	return d.Report(format), nil
}

// Diagnosis is a diagnosis under way, for a caller that reads the dump
// itself: Add each goroutine, then take the Report. The zero value is ready.
type Diagnosis struct {
	// Thresholds, for each finding id it names, is the count at which the
	// finding is named in place of the registry's, however long its
	// goroutines have waited: connleaktest, judging one test, where a
	// single leaked connection is too many, names every finding at 1.
	Thresholds map[string]int
	// NoSites leaves out where connections were made: a caller that
	// reports only counts (the exporter) then holds nothing per call site,
	// however many distinct sites and labels a dump has.
	NoSites bool
	// Binary, if not nil, is the program's executable: the sites then
	// name their calls' own lines (Site.Exact), where the dump writes the
	// line each call returns to.
	Binary *Binary

	t *tally
}

// Add counts one goroutine, or group of goroutines, of the dump.
func (d *Diagnosis) Add(g *dump.Goroutine) {
	if d.t == nil {
		d.t = newTally()
	}
	d.t.add(g, !d.NoSites, d.Binary)
}

// Report is what the goroutines added so far say, for a dump of format.
func (d *Diagnosis) Report(format dump.Format) Report {
	if d.t == nil {
		d.t = newTally()
	}
	t := d.t
	cl, sv := t.counts()
	r := Report{
		Goroutines: t.total,
		Format:     string(format),
		Client:     cl,
		Server:     sv,
		Findings:   t.findings(cl, sv, d.Thresholds),
	}
	for _, f := range r.Findings {
		r.Sited = r.Sited || len(f.Sites) > 0
	}
	return r
}

// OldestWait is how long the longest-waiting goroutine of the finding id's
// kinds, named or not, has been blocked, where the goroutines added say (a
// minute at least: dump.Format.HasWaits tells the forms that say it); 0
// where none says, and for an id diagnose does not know.
func (d *Diagnosis) OldestWait(id string) time.Duration {
	info, ok := Info(id)
	if !ok || d.t == nil {
		return 0
	}
	return d.t.oldestOf(info)
}

// Finding returns the finding with id, if the report has it.
func (r Report) Finding(id string) (Finding, bool) {
	i := slices.IndexFunc(r.Findings, func(f Finding) bool { return f.ID == id })
	if i < 0 {
		return Finding{}, false
	}
	return r.Findings[i], true
}

// IDs lists the report's findings, comma-separated, or "none".
func (r Report) IDs() string {
	if len(r.Findings) == 0 {
		return "none"
	}
	return strings.Join(r.FindingIDs(), ",")
}

// FindingIDs lists the ids of the report's findings; empty, not nil, when
// there are none.
func (r Report) FindingIDs() []string {
	ids := make([]string, len(r.Findings))
	for i, f := range r.Findings {
		ids[i] = f.ID
	}
	return ids
}

func sortSites(s []Site) {
	slices.SortFunc(s, func(a, b Site) int {
		return cmp.Or(b.Count-a.Count, strings.Compare(a.Function, b.Function), a.Line-b.Line, strings.Compare(a.Labels, b.Labels))
	})
}

// WriteText writes the report in words, for the dump named source. hint,
// if not nil, gives each finding a line of the caller's to write after it
// ("" for none): the connleak command's says which lab scenario reproduces
// the finding.
func (r Report) WriteText(w io.Writer, source string, hint func(Finding) string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d goroutines (%s)\n", printable(source), r.Goroutines, r.Format)
	c, s := r.Client, r.Server
	fmt.Fprintf(&b, "client: %d HTTP/1 and %d HTTP/2 connections: %d idle, %d held by an unread body; %d calls waiting for a response, %d dialing",
		c.HTTP1, c.HTTP2, c.Idle, c.BodyUnread, c.InFlight, c.Dialing)
	if c.Handshaking > 0 {
		fmt.Fprintf(&b, " (%d in a TLS handshake)", c.Handshaking)
	}
	fmt.Fprintf(&b, ", %d queued for a connection\n", c.WaitingForConn)
	fmt.Fprintf(&b, "server: %d HTTP/1 and %d HTTP/2 connections: %d idle", s.HTTP1, s.HTTP2, s.Idle)
	if s.AwaitingRequest > 0 {
		fmt.Fprintf(&b, " (%d waiting for a request line)", s.AwaitingRequest)
	}
	fmt.Fprintf(&b, ", %d active\n", s.Active)
	if len(r.Findings) == 0 {
		b.WriteString("\nNo leaked HTTP connections: every count is within what a healthy service holds.\n")
	}
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "\n%s (%d)\n  %s\n  fix: %s\n", f.ID, f.Count, f.Message, f.Fix)
		if len(f.Sites) > 0 {
			b.WriteString("  made at:\n")
			for _, s := range f.Sites {
				fmt.Fprintf(&b, "    %6d  %s\n", s.Count, s.where())
			}
		}
		if hint != nil {
			if h := hint(f); h != "" {
				fmt.Fprintf(&b, "  %s\n", printable(h))
			}
		}
	}
	if len(r.Findings) > 0 && !r.Sited {
		b.WriteString("\nTo see which line made them: run the program with GODEBUG=tracebackancestors=5 and take a debug=2 dump, or set pprof labels (pprof.Do) around the calls.\n")
	}
	if r.hasInexactSites() {
		b.WriteString("\nA dump names the line each call that made them returns to, not the call's: the call is at or just before it or, where it begins a loop, ends the loop's body. Given the program's binary, diagnose names the call's own line (connleak diagnose -binary FILE).\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// hasInexactSites reports whether a site of r names a line the call
// returns to rather than the call's own.
func (r Report) hasInexactSites() bool {
	for _, f := range r.Findings {
		for _, s := range f.Sites {
			if s.inexact() {
				return true
			}
		}
	}
	return false
}

// inexact reports whether s names the line its call returns to, rather
// than the call's own.
func (s Site) inexact() bool { return s.Function != "" && s.Line > 0 && !s.Exact }

// where is a site in words.
func (s Site) where() string {
	var parts []string
	switch {
	case s.inexact():
		parts = append(parts, fmt.Sprintf("%s (%s, at or just before line %d)", printable(s.Function), printable(s.File), s.Line))
	case s.Function != "":
		parts = append(parts, fmt.Sprintf("%s (%s:%d)", printable(s.Function), printable(s.File), s.Line))
	}
	if s.Labels != "" {
		parts = append(parts, "labels "+printable(s.Labels))
	}
	return strings.Join(parts, ", ")
}

// printable is s as text output shows what came from a dump or a command
// line: as it is, unless it holds bytes a terminal would act on (control
// characters such as ESC, BEL, CR and BS, bidirectional overrides) or
// that are not UTF-8, which are escaped as Go escapes them in a string.
func printable(s string) string {
	if utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) {
		return s
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}
