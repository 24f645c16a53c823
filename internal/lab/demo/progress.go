package demo

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/connleak/connleak/internal/lab/scenario"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// NewProgress reports to w: a progress bar per scenario where w is a
// terminal, a plain line per scenario otherwise.
func NewProgress(w io.Writer) Progress {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return &barProgress{w: w}
	}
	return &lineProgress{w: w}
}

type barProgress struct {
	w   io.Writer
	bar *progressbar.ProgressBar
}

func (p *barProgress) Start(s scenario.Scenario, n int) {
	p.bar = progressbar.NewOptions(n,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(fmt.Sprintf("%-20s", s.Name)),
		progressbar.OptionSetWidth(30),
		progressbar.OptionShowCount(),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionThrottle(50*time.Millisecond),
	)
}

func (p *barProgress) Request(i int) { p.bar.Set(i) }

func (p *barProgress) Idle() { p.bar.Describe(fmt.Sprintf("%-20s", "idle wait")) }

func (p *barProgress) Done(r Result) {
	p.bar.Finish()
	fmt.Fprintf(p.w, "%-20s %s\n", r.Name, r.VerdictText())
}

type lineProgress struct{ w io.Writer }

func (p *lineProgress) Start(s scenario.Scenario, n int) {
	fmt.Fprintf(p.w, "%s: %d requests with ?%s\n", s.Name, n, s.Query)
}
func (p *lineProgress) Request(int) {}
func (p *lineProgress) Idle()       {}
func (p *lineProgress) Done(r Result) {
	fmt.Fprintf(p.w, "%s: %s\n", r.Name, r.VerdictText())
}
