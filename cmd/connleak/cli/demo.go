package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/connleak/connleak/internal/lab/demo"
	"github.com/connleak/connleak/internal/lab/report"
	"github.com/connleak/connleak/internal/lab/scenario"
)

// runDemo runs every scenario of the lab's catalogue on fresh pairs of
// servers, prints the table, and writes the report.
func runDemo(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("connleak demo", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprint(e.stderr, `usage: connleak demo [-n 200] [-wait 2s] [-scenarios NAMES] [-out FILE] [-json FILE] [-check]

Runs each scenario of the lab's catalogue on a fresh pair of servers (this
binary, started twice), prints a table of what each leaves, and with -out
writes an HTML report. See docs/lab.md.

`)
		fs.PrintDefaults()
	}
	n := fs.Int("n", 200, "`requests` per scenario")
	wait := fs.Duration("wait", 2*time.Second, "the longest idle `wait` after the requests")
	list := fs.String("scenarios", "", "comma-separated `names` (default all): "+scenario.Names())
	out := fs.String("out", "", "write an HTML report to `file`")
	jsonOut := fs.String("json", "", "write every sample and verdict as JSON to `file`")
	check := fs.Bool("check", false, "exit 1 if a verdict contradicts the physics table")
	if err := parseFlags(fs, args); err != nil {
		return helpIsSuccess(err)
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
	exe, dir, err := labBinary("connleak-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	start := time.Now()
	results, err := demo.Run(ctx, demo.Config{Exe: exe, Dir: dir, N: *n, Wait: *wait, Scenarios: scenarios, Progress: demo.NewProgress(e.stderr)})
	if ctx.Err() != nil {
		return errors.New("interrupted; every server the demo started is stopped")
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "%d scenarios in %.1fs\n", len(results), time.Since(start).Seconds())
	if err := writeDemo(e, results, *n, *wait, *out, *jsonOut); err != nil {
		return err
	}
	if *check {
		return demo.Check(results)
	}
	return nil
}

// labBinary returns this binary, to start as the lab's servers, and a new
// directory for their logs, named with prefix; the caller removes it.
func labBinary(prefix string) (exe, dir string, err error) {
	if exe, err = os.Executable(); err != nil {
		return "", "", fmt.Errorf("find the connleak binary to start: %w", err)
	}
	dir, err = os.MkdirTemp("", prefix)
	return exe, dir, err
}

// writeDemo writes the demo's table, and its HTML report to out and its
// results as JSON to jsonOut where they are named.
func writeDemo(e env, results []demo.Result, n int, wait time.Duration, out, jsonOut string) error {
	if err := report.WriteTable(e.stdout, results); err != nil {
		return err
	}
	if out != "" {
		if err := createFile(out, func(w io.Writer) error { return report.WriteHTML(w, results, n, wait) }); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "report written to %s\n", out)
	}
	if jsonOut != "" {
		return createFile(jsonOut, func(w io.Writer) error { return json.NewEncoder(w).Encode(results) })
	}
	return nil
}

// helpIsSuccess makes -h, which printed the usage, a success.
func helpIsSuccess(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

// createFile creates the file name and has write fill it.
func createFile(name string, write func(io.Writer) error) error {
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
