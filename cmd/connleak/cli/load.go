package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"time"

	"github.com/connleak/connleak/internal/lab/load"
)

// runLoad is the Resty demo's curl loop against a server, built in.
func runLoad(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("connleak load", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: connleak load [-n 400] [-d 0] [-c 1] [-k] [-q] URL")
		fs.PrintDefaults()
	}
	n := fs.Int("n", 400, "`requests` in all")
	d := fs.Duration("d", 0, "send for this `long` instead, at most -n requests if -n is given too")
	c := fs.Int("c", 1, "requests at once")
	keepAlive := fs.Bool("k", false, "reuse connections (by default each request has its own, as with curl)")
	quiet := fs.Bool("q", false, "print only the summary, not each reply")
	if err := parseFlags(fs, args); err != nil {
		return helpIsSuccess(err)
	}
	if fs.NArg() != 1 {
		return errors.New("load takes one URL, such as http://localhost:9090/forward")
	}
	if u, err := url.Parse(fs.Arg(0)); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("load %q: want an http or https URL, such as http://localhost:9090/forward", fs.Arg(0))
	}
	if *n < 1 || *c < 1 || *c > 1000 || *d < 0 || *d > time.Hour {
		return fmt.Errorf("-n %d -c %d -d %v: accepts -n >= 1, -c from 1 to 1000, -d from 0 to 1h", *n, *c, *d)
	}
	nSet := false
	fs.Visit(func(f *flag.Flag) { nSet = nSet || f.Name == "n" })
	if *d > 0 && !nSet {
		*n = 0 // no limit but the duration
	}
	cfg := load.Config{URL: fs.Arg(0), N: *n, Duration: *d, C: *c, KeepAlive: *keepAlive}
	if !*quiet {
		cfg.Out = e.stdout
	}
	sum, err := load.Run(ctx, cfg)
	fmt.Fprintln(e.stdout, sum)
	return err
}
