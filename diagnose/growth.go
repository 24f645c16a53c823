package diagnose

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// Growth is what several dumps of one program, taken at an interval, say:
// each count at each dump, its change per minute, and the counts that only
// grew, the leak.
type Growth struct {
	Source      string             `json:"source"`
	Every       string             `json:"every"`
	Samples     []Report           `json:"samples"`
	PerMinute   map[string]float64 `json:"perMinute"`
	OnlyGrowing []string           `json:"onlyGrowing"`
}

// counted names the counts Growth follows, and reads each off a report.
var counted = []struct {
	name string
	of   func(Report) int
}{
	{"goroutines", func(r Report) int { return r.Goroutines }},
	{"client.http1", func(r Report) int { return r.Client.HTTP1 }},
	{"client.http2", func(r Report) int { return r.Client.HTTP2 }},
	{"client.idle", func(r Report) int { return r.Client.Idle }},
	{"client.bodyUnread", func(r Report) int { return r.Client.BodyUnread }},
	{"client.inFlight", func(r Report) int { return r.Client.InFlight }},
	{"client.dialing", func(r Report) int { return r.Client.Dialing }},
	{"client.waitingForConn", func(r Report) int { return r.Client.WaitingForConn }},
	{"client.handshaking", func(r Report) int { return r.Client.Handshaking }},
	{"server.http1", func(r Report) int { return r.Server.HTTP1 }},
	{"server.http2", func(r Report) int { return r.Server.HTTP2 }},
	{"server.idle", func(r Report) int { return r.Server.Idle }},
	{"server.active", func(r Report) int { return r.Server.Active }},
	{"server.awaitingRequest", func(r Report) int { return r.Server.AwaitingRequest }},
}

// Watch takes samples dumps (2 or more) of the URL src, every apart, and
// says how each count changed: a count that grew in every interval is a
// leak under way. Each dump is read as Source reads it, within
// opts.Timeout.
func Watch(ctx context.Context, src string, every time.Duration, samples int, opts Options) (Growth, error) {
	rd, err := opts.reading()
	if err != nil {
		return Growth{}, err
	}
	switch {
	case samples < 2:
		return Growth{}, fmt.Errorf("%d samples: Watch takes 2 or more", samples)
	case every <= 0:
		return Growth{}, fmt.Errorf("every %v: Watch takes an interval above 0", every)
	}
	if err := CheckSource(src); err != nil {
		return Growth{}, err
	}
	if !IsURL(src) {
		return Growth{}, fmt.Errorf("%s: Watch takes dumps of a running program: give its pprof URL", SourceName(src))
	}
	return rd.growth(ctx, source(src), every, samples)
}

// growth takes samples dumps of the URL src, every apart, and says how
// each count changed.
func (rd reading) growth(ctx context.Context, src source, every time.Duration, samples int) (Growth, error) {
	g := Growth{Source: src.name(), Every: every.String(), PerMinute: map[string]float64{}, OnlyGrowing: []string{}}
	var start, last time.Time
	tick := time.NewTicker(every)
	defer tick.Stop()
	for i := range samples {
		if i > 0 {
			select {
			case <-ctx.Done():
				return Growth{}, ctx.Err()
			case <-tick.C:
			}
		}
		last = time.Now()
		if i == 0 {
			start = last
		}
		r, err := rd.diagnoseSource(ctx, src)
		if err != nil {
			return Growth{}, fmt.Errorf("dump %d of %d: %w", i+1, samples, err)
		}
		g.Samples = append(g.Samples, r)
	}
	minutes := last.Sub(start).Minutes()
	for _, c := range counted {
		first, prev, grows := c.of(g.Samples[0]), c.of(g.Samples[0]), true
		for _, r := range g.Samples[1:] {
			grows = grows && c.of(r) > prev
			prev = c.of(r)
		}
		g.PerMinute[c.name] = float64(prev-first) / minutes
		if grows && c.name != "goroutines" {
			g.OnlyGrowing = append(g.OnlyGrowing, c.name)
		}
	}
	return g, nil
}

// WriteText writes the growth in words: a table of each count at each
// dump, then the last dump's report, with hint as Report.WriteText takes
// it.
func (g Growth) WriteText(w io.Writer, hint func(Finding) string) error {
	fmt.Fprintf(w, "%s: %d dumps, %s apart\n", printable(g.Source), len(g.Samples), g.Every)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := []string{"COUNT"}
	for i := range g.Samples {
		head = append(head, fmt.Sprintf("#%d", i+1))
	}
	fmt.Fprintln(tw, strings.Join(append(head, "PER MINUTE", ""), "\t"))
	for _, c := range counted {
		row := []string{c.name}
		for _, r := range g.Samples {
			row = append(row, fmt.Sprint(c.of(r)))
		}
		note := ""
		for _, name := range g.OnlyGrowing {
			if name == c.name {
				note = "only grows: the leak"
			}
		}
		fmt.Fprintln(tw, strings.Join(append(row, fmt.Sprintf("%+.1f", g.PerMinute[c.name]), "  "+note), "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(g.OnlyGrowing) == 0 {
		fmt.Fprintln(w, "No count grew in every interval.")
	}
	if len(g.Samples) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	last := g.Samples[len(g.Samples)-1]
	return last.WriteText(w, fmt.Sprintf("%s, dump %d", g.Source, len(g.Samples)), hint)
}
