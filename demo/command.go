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

	"github.com/connleak/connleak/scenario"
	"github.com/connleak/connleak/server"
)

// Command is `connleak demo`: it runs the scenarios, prints the table, and
// writes the report.
func Command(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("connleak demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 200, "`requests` per scenario")
	wait := fs.Duration("wait", 2*time.Second, "the longest idle `wait` after the requests")
	list := fs.String("scenarios", "", "comma-separated `names` (default all): "+scenario.Names())
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
	scenarios, err := scenario.Select(*list)
	if err != nil {
		return fmt.Errorf("-scenarios: %w", err)
	}
	exe, dir, err := self("connleak-demo-")
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
		fmt.Fprintln(stderr, "usage: connleak load [-n 400] [-d 0] [-c 1] [-k] [-q] URL")
		fs.PrintDefaults()
	}
	n := fs.Int("n", 400, "`requests` in all")
	d := fs.Duration("d", 0, "send for this `long` instead, at most -n requests if -n is given too")
	c := fs.Int("c", 1, "requests at once")
	keepAlive := fs.Bool("k", false, "reuse connections (by default each request has its own, as with curl)")
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
	if *n < 1 || *c < 1 || *c > 1000 || *d < 0 || *d > time.Hour {
		return fmt.Errorf("-n %d -c %d -d %v: accepts -n >= 1, -c from 1 to 1000, -d from 0 to 1h", *n, *c, *d)
	}
	nSet := false
	fs.Visit(func(f *flag.Flag) { nSet = nSet || f.Name == "n" })
	if *d > 0 && !nSet {
		*n = 0 // no limit but the duration
	}
	cfg := LoadConfig{URL: fs.Arg(0), N: *n, Duration: *d, C: *c, KeepAlive: *keepAlive}
	if !*quiet {
		cfg.Out = stdout
	}
	sum, err := Load(ctx, cfg)
	fmt.Fprintln(stdout, sum)
	return err
}

// self returns this binary, to start as the servers, and a new directory
// for their logs, named with prefix; the caller removes it.
func self(prefix string) (exe, dir string, err error) {
	if exe, err = os.Executable(); err != nil {
		return "", "", fmt.Errorf("find the connleak binary to start: %w", err)
	}
	dir, err = os.MkdirTemp("", prefix)
	return exe, dir, err
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

// BenchCommand is `connleak bench`: every configuration's cost, side by
// side, against plain net/http.
func BenchCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("connleak bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := fs.Int("c", 8, "requests at once")
	d := fs.Duration("d", 1500*time.Millisecond, "`duration` of each run")
	rounds := fs.Int("r", 5, "`rounds`: runs of each configuration, interleaved")
	vet := fs.Bool("vet", true, "then time connleak vet ./... against go vet ./... in this directory")
	goroutines := fs.Int("g", 18000, "then time /stats on a server 2 with this many leaked `goroutines`, and connleak diagnose against panicparse on its dump (0: skip)")
	if err := fs.Parse(args); err != nil {
		return ignoreHelp(err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("bench takes no arguments, got %q", fs.Args())
	}
	if *c < 1 || *c > 256 || *d <= 0 || *d > time.Minute || *rounds < 1 || *rounds > 20 || *goroutines < 0 || *goroutines > 2*server.DefaultMaxHeld() {
		return fmt.Errorf("-c %d -d %v -r %d -g %d: accepts -c from 1 to 256, -d up to 1m, -r from 1 to 20, -g from 0 to %d", *c, *d, *rounds, *goroutines, 2*server.DefaultMaxHeld())
	}
	exe, dir, err := self("connleak-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg := BenchConfig{Exe: exe, Dir: dir, C: *c, Duration: *d, Rounds: *rounds, Cases: BenchCases(*c), Log: stderr}
	results, err := Bench(ctx, cfg)
	if ctx.Err() != nil {
		return errors.New("interrupted; every server the benchmark started is stopped")
	}
	if err != nil {
		return err
	}
	if err := WriteBenchTable(stdout, results, cfg); err != nil {
		return err
	}
	if *goroutines > 0 {
		if err := benchDumps(ctx, exe, dir, *goroutines, 2*cfg.Rounds, stdout); err != nil {
			return err
		}
	}
	if !*vet {
		return nil
	}
	vr, err := VetBench(ctx, exe, 3)
	if ctx.Err() != nil {
		return errors.New("interrupted; every server the benchmark started is stopped")
	}
	if err != nil {
		return fmt.Errorf("vet benchmark: %w", err)
	}
	return WriteVetBench(stdout, vr)
}

// benchDumps is the /stats benchmark at goroutines leaked goroutines, then
// connleak diagnose against panicparse on that server's dump.
func benchDumps(ctx context.Context, exe, dir string, goroutines, rounds int, stdout io.Writer) error {
	sr, err := StatsBench(ctx, exe, dir, goroutines, rounds)
	if ctx.Err() != nil {
		return errors.New("interrupted; every server the benchmark started is stopped")
	}
	if err != nil {
		return fmt.Errorf("/stats benchmark: %w", err)
	}
	if err := WriteStatsBench(stdout, sr); err != nil {
		return err
	}
	dr, err := DiagnoseBench(ctx, exe, dir, sr.Dump, 3)
	if ctx.Err() != nil {
		return errors.New("interrupted; every server the benchmark started is stopped")
	}
	if err != nil {
		return fmt.Errorf("diagnose benchmark: %w", err)
	}
	return WriteDiagnoseBench(stdout, dr)
}
