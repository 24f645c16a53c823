package e2e

import (
	"bytes"
	"context"
	"flag"
	"image/color"
	"image/png"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

var screenshot = flag.String("screenshot", "", "also save TestLivePage's screenshot to this `file`")

// chromium is where Debian installs Chromium; .ci/run installs it.
const chromium = "/usr/bin/chromium"

// TestLivePage opens server 2's page in a real headless Chromium, sends a
// leaky burst of 50 with the form, and checks that the number and the
// chart follow.
func TestLivePage(t *testing.T) {
	if _, err := os.Stat(chromium); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s: %v; CI must install Debian's chromium", chromium, err)
		}
		t.Skipf("no %s (apt-get install chromium); CI runs this test", chromium)
	}
	t.Parallel()
	p := startPair(t)

	alloc, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(windowWidth, 1300),
	)
	defer cancel()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	number := func(sel string) int {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("%s is %q, not a number", sel, s)
		}
		return n
	}
	attr := func(sel, name string) int {
		t.Helper()
		a, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
		if err != nil || !a.Exists {
			t.Fatalf("read %s's %s: %v", sel, name, err)
		}
		n, _ := strconv.Atoi(a.Value)
		return n
	}

	// Wait for the first samples of both servers.
	err := chromedp.Do(ctx,
		chromedp.Navigate(p.Server2.URL+"/"),
		chromedp.Poll[chromedp.Void](`/^\d+$/.test(document.getElementById("goroutines-upstream").textContent)`),
	)
	if err != nil {
		t.Fatalf("open the page: %v", err)
	}
	for _, sel := range []string{"#diagnosis-self", "#diagnosis-upstream"} {
		if d, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel))); err != nil || d != "nothing leaks" {
			t.Errorf("%s before the burst: %q, %v; want nothing leaks", sel, d, err)
		}
	}
	before, points := number("#goroutines-self"), attr("#line-self", "data-count")
	upBefore := number("#goroutines-upstream")

	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-preset="leak"]`)),
		chromedp.SetValue(chromedp.CSS("#count"), "50"),
		chromedp.Click(chromedp.CSS("#send")),
		chromedp.Poll[chromedp.Void](`document.getElementById("burst-status").textContent.startsWith("sent 50/50")`),
		chromedp.Poll[chromedp.Void](`Number(document.getElementById("goroutines-self").textContent) >= `+strconv.Itoa(before+90)),
	)
	if err != nil {
		t.Fatalf("send a burst of 50 and wait for +90 goroutines (from %d): %v", before, err)
	}
	after := number("#goroutines-self")
	if after < before+90 {
		t.Errorf("goroutines-self %d after the burst, want >= %d", after, before+90)
	}
	if up := number("#goroutines-upstream"); up < upBefore+45 {
		t.Errorf("goroutines-upstream %d after the burst, want >= %d", up, upBefore+45)
	}
	if n, last := attr("#line-self", "data-count"), attr("#line-self", "data-last"); n <= points || last < before+90 {
		t.Errorf("the chart's line has %d points ending at %d, want more than %d ending at >= %d", n, last, points, before+90)
	}
	if curl, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#curl"))); err != nil || curl != "for i in {1..50}; do curl -s '"+p.Server2.URL+"/forward?'; echo \"\"; done" {
		t.Errorf("curl command %q, %v", curl, err)
	}

	// connleak diagnose names the leak on both sides.
	err = chromedp.Do(ctx, chromedp.Poll[chromedp.Void](`document.getElementById("diagnosis-self").textContent === "idle-client-connections" && `+
		`document.getElementById("diagnosis-upstream").textContent === "idle-server-connections"`))
	if err != nil {
		d2, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#diagnosis-self")))
		d1, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#diagnosis-upstream")))
		t.Errorf("diagnosis after the burst: %q and %q, want idle-client-connections and idle-server-connections: %v", d2, d1, err)
	}

	// Its /metrics names server 1's address as the peer that holds them
	// (connleak's collector, read from the process's sockets).
	server1 := strings.TrimPrefix(p.Server1.URL, "http://")
	err = chromedp.Do(ctx, chromedp.Poll[chromedp.Void](`(() => { const m = document.getElementById("peers-self").textContent.match(/^`+regexp.QuoteMeta(server1)+`: (\d+)/); return m && Number(m[1]) >= 50; })()`))
	if err != nil {
		peers, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#peers-self")))
		t.Errorf("peers after the burst: %q, want %s first with 50 connections at least: %v", peers, server1, err)
	}

	// The chart is drawn: on the page, with a line of many points.
	box, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => { const r = document.getElementById("chart").getBoundingClientRect(); return [r.width, r.height, r.top + window.scrollY, r.left + window.scrollX]; })()`))
	if err != nil || len(box) != 4 || box[0] < 300 || box[1] < 100 {
		t.Errorf("the chart's box on the page: %v, %v; want it drawn, at least 300x100", box, err)
	}
	if pts, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.getElementById("line-self").points.numberOfItems`)); err != nil || pts <= points {
		t.Errorf("the chart's line of server 2 is drawn with %d points (%v), want more than the %d before the burst", pts, err, points)
	}

	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if *screenshot != "" {
		if err := os.WriteFile(*screenshot, shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	checkScreenshot(t, shot, box)

	// Reset releases what the burst leaked.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#reset")),
		chromedp.Poll[chromedp.Void](`document.getElementById("reset-result").textContent.includes("connections closed")`),
		chromedp.Poll[chromedp.Void](`Number(document.getElementById("goroutines-self").textContent) <= `+strconv.Itoa(before+3)),
	)
	if err != nil {
		t.Errorf("Reset did not bring goroutines-self back near %d: %v", before, err)
	}
}

// checkScreenshot decodes the page's screenshot and checks that it is the
// page as drawn: as wide as the window, as tall as the page at least, not
// blank, and with server 2's line drawn in its colour inside the chart's
// box (width, height, top, left, as the page measured it).
func checkScreenshot(t *testing.T, shot []byte, box []float64) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("the screenshot is not a PNG: %v", err)
	}
	b := img.Bounds()
	if b.Dx() != windowWidth || b.Dy() < 600 {
		t.Errorf("screenshot of %dx%d, want %d wide and at least 600 tall", b.Dx(), b.Dy(), windowWidth)
	}
	bg := img.At(b.Min.X, b.Min.Y)
	var other, line int
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := img.At(x, y)
			if c != bg {
				other++
			}
			if len(box) == 4 && near(c, selfColour) && float64(x) >= box[3] && float64(x) <= box[3]+box[0] && float64(y) >= box[2] && float64(y) <= box[2]+box[1] {
				line++
			}
		}
	}
	if total := b.Dx() * b.Dy(); other < total/50 {
		t.Errorf("the screenshot is blank: %d of %d pixels differ from the background", other, total)
	}
	if line < 50 {
		t.Errorf("%d pixels of server 2's line colour inside the chart, want a line drawn (50 at least)", line)
	}
}

// windowWidth is the browser window's width.
const windowWidth = 1000

// selfColour is the stroke of server 2's line on the chart, #1f77b4.
var selfColour = color.RGBA{0x1f, 0x77, 0xb4, 0xff}

// near reports whether c is within a few levels of want in each channel.
func near(c color.Color, want color.RGBA) bool {
	r, g, b, _ := c.RGBA()
	d := func(a uint32, w uint8) bool { return max(int(a>>8), int(w))-min(int(a>>8), int(w)) <= 8 }
	return d(r, want.R) && d(g, want.G) && d(b, want.B)
}
