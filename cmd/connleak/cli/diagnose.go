package cli

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/connleak/connleak/diagnose"
	"github.com/connleak/connleak/internal/lab/scenario"
)

// runDiagnose is `connleak diagnose [flags] SOURCE...`: it reads each
// goroutine dump (a file, - for stdin, or the URL of a running program's
// pprof goroutine endpoint) and says what HTTP connections it holds and
// why, each finding with the lab scenario that reproduces it. A diagnosis,
// with or without findings, is a success; an error (a source that cannot
// be read, or that is not a goroutine dump) is not.
func runDiagnose(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("connleak diagnose", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprint(e.stderr, `usage: connleak diagnose [-json] [-debug 2] [-timeout 1m] [-ca FILE] [-binary FILE] [-every 10s -samples 3] SOURCE...

SOURCE is a goroutine dump: a file, - for standard input, or the URL of a
running program's pprof goroutine endpoint, such as
http://localhost:6060/debug/pprof/goroutine. It reads runtime.Stack and
crash tracebacks, pprof's debug=0, debug=1 and debug=2, and goleak's message.

A dump names the line each call that made a connection returns to, not the
call's; with the program's executable (-binary, as go tool pprof takes it),
the lines of the calls themselves.

`)
		fs.PrintDefaults()
	}
	jsonOut := fs.Bool("json", false, "write JSON, one object per line and SOURCE")
	debug := fs.Int("debug", 2, "the form to ask a URL for: 2 (full stacks, with wait times and tracebackancestors; and, where it cannot say where connections were made, debug=1 too, for its pprof labels) or 1 (grouped, with labels, no wait times)")
	every := fs.Duration("every", 0, "with -samples, the `interval` between dumps of each URL")
	samples := fs.Int("samples", 1, "how many dumps to take of each URL, -every apart; with 2 or more, the growth of each count per minute")
	timeout := fs.Duration("timeout", time.Minute, "how long one dump of a URL may take, both forms (debug=2, then debug=1) included")
	caFile := fs.String("ca", "", "a PEM `file` of CA certificates an https URL's server may chain to, trusted besides the system's roots")
	binary := fs.String("binary", "", "the executable `file` of the program the dumps are of, to name the lines of the calls that made the connections (an ELF, Mach-O or PE file)")
	if err := parseFlags(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	sources := fs.Args()
	if err := checkDiagnoseArgs(sources, *debug, *samples, *every, *timeout); err != nil {
		return err
	}
	opts, err := readingOptions(diagnose.Options{Debug: *debug, Timeout: *timeout, Stdin: e.stdin}, *caFile, *binary)
	if err != nil {
		return err
	}
	for i, src := range sources {
		if i > 0 && !*jsonOut {
			fmt.Fprintln(e.stdout)
		}
		if err := diagnoseOne(ctx, src, opts, *every, *samples, *jsonOut, e.stdout); err != nil {
			return err
		}
	}
	return nil
}

// checkDiagnoseArgs says what is wrong with diagnose's sources and flags,
// if anything is.
func checkDiagnoseArgs(sources []string, debug, samples int, every, timeout time.Duration) error {
	switch {
	case len(sources) == 0:
		return errors.New("diagnose takes one or more goroutine dumps: a file, - for standard input, or a pprof URL such as http://localhost:6060/debug/pprof/goroutine")
	case debug != 1 && debug != 2:
		return fmt.Errorf("-debug %d: accepts 1 or 2", debug)
	case samples < 1 || samples > 1000:
		return fmt.Errorf("-samples %d: accepts 1 to 1000", samples)
	case samples > 1 && (every <= 0 || every > time.Hour):
		return fmt.Errorf("-every %v: with -samples %d, accepts a duration above 0 and up to 1h, such as 10s", every, samples)
	case samples == 1 && every != 0:
		return errors.New("-every goes with -samples 2 or more")
	case timeout <= 0 || timeout > time.Hour:
		return fmt.Errorf("-timeout %v: accepts a duration above 0 and up to 1h, such as 30s", timeout)
	case len(slices.DeleteFunc(slices.Clone(sources), func(s string) bool { return s != "-" })) > 1:
		return errors.New("standard input (-) can be read once")
	}
	for _, src := range sources {
		if err := diagnose.CheckSource(src); err != nil {
			return err
		}
		if samples > 1 && !diagnose.IsURL(src) {
			return fmt.Errorf("%s: -samples takes dumps of a running program: give its pprof URL", diagnose.SourceName(src))
		}
	}
	return nil
}

// readingOptions are opts with the CAs of the PEM file caFile, and the
// executable binary, where they are named.
func readingOptions(opts diagnose.Options, caFile, binary string) (diagnose.Options, error) {
	if caFile != "" {
		roots, err := certPool(caFile)
		if err != nil {
			return opts, err
		}
		opts.RootCAs = roots
	}
	if binary != "" {
		b, err := diagnose.OpenBinary(binary)
		if err != nil {
			return opts, fmt.Errorf("-binary: %w", err)
		}
		opts.Binary = b
	}
	return opts, nil
}

// diagnoseOne diagnoses src, samples dumps every apart where samples is 2
// or more, and writes the diagnosis, as JSON or in words.
func diagnoseOne(ctx context.Context, src string, opts diagnose.Options, every time.Duration, samples int, asJSON bool, stdout io.Writer) error {
	if samples > 1 {
		g, err := diagnose.Watch(ctx, src, every, samples, opts)
		if err != nil {
			return err
		}
		return writeDiagnosis(stdout, g, asJSON, func(w io.Writer) error { return g.WriteText(w, reproduce) })
	}
	r, err := diagnose.Source(ctx, src, opts)
	if err != nil {
		return err
	}
	return writeDiagnosis(stdout, r, asJSON, func(w io.Writer) error { return r.WriteText(w, r.Source, reproduce) })
}

// writeDiagnosis writes v as one line of JSON, or in words with text.
func writeDiagnosis(w io.Writer, v any, asJSON bool, text func(io.Writer) error) error {
	if !asJSON {
		return text(w)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// reproduce is the line the text output adds to a finding: the lab
// scenario that reproduces it.
func reproduce(f diagnose.Finding) string {
	if s, ok := scenario.ForFinding(f.ID); ok {
		return "reproduce: connleak demo -scenarios " + s.Name
	}
	return ""
}

// certPool is the system's roots and the CA certificates of the PEM file
// named by -ca.
func certPool(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("-ca: %w", err)
	}
	roots, err := x509.SystemCertPool()
	if err != nil {
		roots = x509.NewCertPool()
	}
	if !roots.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("-ca %s: no PEM certificate in it", file)
	}
	return roots, nil
}
