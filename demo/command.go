package demo

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"time"
)

// Command is `connleak demo`: it runs the scenarios, prints the table, and
// writes the report.
func Command(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("connleak demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 200, "`requests` per scenario")
	wait := fs.Duration("wait", 2*time.Second, "the longest idle `wait` after the requests")
	list := fs.String("scenarios", "", "comma-separated `names` (default all): "+names())
	out := fs.String("out", "", "write an HTML report to `file`")
	jsonOut := fs.String("json", "", "write every sample and verdict as JSON to `file`")
	check := fs.Bool("check", false, "exit 1 if a verdict contradicts the physics table")
	if err := fs.Parse(args); err != nil {
		return ignoreHelp(err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("demo takes no arguments, got %q", fs.Args())
	}
	if *n < 1 || *n > 10000 {
		return fmt.Errorf("-n %d: accepts 1 to 10000 requests", *n)
	}
	if *wait < 0 || *wait > 5*time.Minute {
		return fmt.Errorf("-wait %v: accepts 0 to 5m", *wait)
	}
	scenarios, err := Select(*list)
	if err != nil {
		return fmt.Errorf("-scenarios: %w", err)
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find the connleak binary to start: %w", err)
	}
	dir, err := os.MkdirTemp("", "connleak-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	start := time.Now()
	results, err := Run(ctx, Config{Exe: exe, Dir: dir, N: *n, Wait: *wait, Scenarios: scenarios, Progress: NewProgress(stderr)})
	if ctx.Err() != nil {
		return errors.New("interrupted; every server the demo started is stopped")
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "%d scenarios in %.1fs\n", len(results), time.Since(start).Seconds())
	if err := WriteTable(stdout, results); err != nil {
		return err
	}
	if *out != "" {
		if err := writeFile(*out, func(w io.Writer) error { return WriteReport(w, results, *n, *wait) }); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "report written to %s\n", *out)
	}
	if *jsonOut != "" {
		if err := writeFile(*jsonOut, func(w io.Writer) error { return json.NewEncoder(w).Encode(results) }); err != nil {
			return err
		}
	}
	if *check {
		return Check(results)
	}
	return nil
}

// LoadCommand is `connleak load`: the seed's curl loop, built in.
func LoadCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("connleak load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: connleak load [-n 400] [-c 1] [-q] URL")
		fs.PrintDefaults()
	}
	n := fs.Int("n", 400, "`requests` in all")
	c := fs.Int("c", 1, "requests at once")
	quiet := fs.Bool("q", false, "print only the summary, not each reply")
	if err := fs.Parse(args); err != nil {
		return ignoreHelp(err)
	}
	if fs.NArg() != 1 {
		return errors.New("load takes one URL, such as http://localhost:9090/forward")
	}
	if u, err := url.Parse(fs.Arg(0)); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("load %q: want an http or https URL, such as http://localhost:9090/forward", fs.Arg(0))
	}
	if *n < 1 || *c < 1 || *c > 1000 {
		return fmt.Errorf("-n %d -c %d: accepts -n >= 1 and -c from 1 to 1000", *n, *c)
	}
	cfg := LoadConfig{URL: fs.Arg(0), N: *n, C: *c}
	if !*quiet {
		cfg.Out = stdout
	}
	sum, err := Load(ctx, cfg)
	fmt.Fprintln(stdout, sum)
	return err
}

// ignoreHelp makes -h, which printed the usage, a success.
func ignoreHelp(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

func writeFile(name string, write func(io.Writer) error) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	return f.Close()
}
