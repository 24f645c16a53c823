package main

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strconv"
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
		chromedp.WindowSize(1000, 1300),
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

	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(filepath.Join(t.TempDir(), "live.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	if *screenshot != "" {
		if err := os.WriteFile(*screenshot, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

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
