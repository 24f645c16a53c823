package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"

	"github.com/connleak/connleak/internal/lab/bench"
	"github.com/connleak/connleak/server"
)

// errBenchInterrupted is what bench says when a signal stops it.
var errBenchInterrupted = errors.New("interrupted; every server the benchmark started is stopped")

// runBench measures what each client configuration costs, side by side,
// against plain net/http; then /stats, the goroutine profile's forms,
// connleak diagnose, and connleak vet next to go vet and bodyclose.
func runBench(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("connleak bench", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprint(e.stderr, `usage: connleak bench [-c 8] [-d 1.5s] [-r 5] [-load=false] [-vet DIR] [-g 18000] [-targets 100] [-hostile 64] [-panicparse FILE] [-bodyclose FILE]

Measures what each client configuration costs against plain net/http, on
the lab's servers; then /stats, the goroutine profile's forms, connleak
diagnose, connleak vet and connleak exporter, and hostile profiles. See
docs/benchmarks.md.

`)
		fs.PrintDefaults()
	}
	c := fs.Int("c", 8, "requests at once")
	d := fs.Duration("d", 1500*time.Millisecond, "`duration` of each run")
	rounds := fs.Int("r", 5, "`rounds`: runs of each configuration, interleaved")
	load := fs.Bool("load", true, "time every case under load, the table (false: skip it)")
	vetDir := fs.String("vet", ".", "then time connleak vet, go vet and bodyclose on ./... of the module this `directory` is in, in a copy (\"\": skip)")
	bodyclose := fs.String("bodyclose", "", "time this bodyclose `binary` too, under go vet and on its own, next to connleak vet; make bench installs it, pinned")
	goroutines := fs.Int("g", 18000, "then time /stats on a server 2 with this many leaked `goroutines`, measure what each form of its goroutine profile costs it, and time connleak diagnose on its dump (0: skip)")
	targets := fs.Int("targets", 100, "then probe connleak exporter, at GOMAXPROCS=1 and 2, with this `many` loopback targets serving server 2's dumps at 1000 and at -g goroutines (0: skip)")
	hostileTargets := fs.Int("hostile", 64, "then time connleak diagnose on hostile profiles, each made to take memory out of proportion to its 64 KB, and probe connleak exporter with this `many` loopback targets serving each at once (0: skip)")
	panicparse := fs.String("panicparse", "", "time this panicparse `binary` (pp) on that dump too, next to connleak diagnose; make bench installs it, pinned")
	if err := parseFlags(fs, args); err != nil {
		return helpIsSuccess(err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("bench takes no arguments, got %q", fs.Args())
	}
	if *c < 1 || *c > 256 || *d <= 0 || *d > time.Minute || *rounds < 1 || *rounds > 20 || *goroutines < 0 || *goroutines > 2*server.DefaultMaxHeld() {
		return fmt.Errorf("-c %d -d %v -r %d -g %d: accepts -c from 1 to 256, -d up to 1m, -r from 1 to 20, -g from 0 to %d", *c, *d, *rounds, *goroutines, 2*server.DefaultMaxHeld())
	}
	if *targets < 0 || *targets > 1000 {
		return fmt.Errorf("-targets %d: accepts 0 to 1000", *targets)
	}
	if *hostileTargets < 0 || *hostileTargets > 1000 {
		return fmt.Errorf("-hostile %d: accepts 0 to 1000", *hostileTargets)
	}
	pp, err := lookPath("-panicparse", *panicparse)
	if err != nil {
		return err
	}
	bc, err := lookPath("-bodyclose", *bodyclose)
	if err != nil {
		return err
	}
	exe, dir, err := labBinary("connleak-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg := bench.Config{Exe: exe, Dir: dir, C: *c, Duration: *d, Rounds: *rounds, Cases: bench.Cases(*c), Log: e.stderr}
	if *load {
		if err := benchLoad(ctx, cfg, e.stdout); err != nil {
			return err
		}
	}
	if *goroutines > 0 {
		if err := benchDumps(ctx, exe, dir, pp, *goroutines, 2*cfg.Rounds, e.stdout); err != nil {
			return err
		}
	}
	if *vetDir != "" {
		if err := benchVet(ctx, bench.VetConfig{Exe: exe, Module: *vetDir, Dir: dir, BodyClose: bc, Rounds: *rounds, Log: e.stderr}, e.stdout); err != nil {
			return err
		}
	}
	if *targets > 0 {
		err := benchExporter(ctx, bench.ExporterConfig{Exe: exe, Dir: dir, Goroutines: exporterSizes(*goroutines), Procs: []int{1, 2},
			Targets: *targets, C: *c, Duration: *d, Rounds: *rounds, Log: e.stderr}, e.stdout)
		if err != nil {
			return err
		}
	}
	if *hostileTargets == 0 {
		return nil
	}
	return benchHostile(ctx, bench.HostileConfig{Exe: exe, Dir: dir, Targets: *hostileTargets, Rounds: 3, Timeout: 10 * time.Second}, e.stdout)
}

// benchLoad is the table of every case under load.
func benchLoad(ctx context.Context, cfg bench.Config, stdout io.Writer) error {
	results, err := bench.Run(ctx, cfg)
	if ctx.Err() != nil {
		return errBenchInterrupted
	}
	if err != nil {
		return err
	}
	return bench.WriteTable(stdout, results, cfg)
}

// benchVet is connleak vet's benchmark, and its table.
func benchVet(ctx context.Context, cfg bench.VetConfig, stdout io.Writer) error {
	vr, err := bench.Vet(ctx, cfg)
	if ctx.Err() != nil {
		return errBenchInterrupted
	}
	if err != nil {
		return fmt.Errorf("vet benchmark: %w", err)
	}
	return bench.WriteVet(stdout, vr)
}

// benchHostile is the hostile profiles' benchmark, and its tables.
func benchHostile(ctx context.Context, cfg bench.HostileConfig, stdout io.Writer) error {
	r, err := bench.Hostile(ctx, cfg)
	if ctx.Err() != nil {
		return errBenchInterrupted
	}
	if err != nil {
		return fmt.Errorf("hostile profiles benchmark: %w", err)
	}
	return bench.WriteHostile(stdout, r, cfg, runtime.NumCPU())
}

// benchExporter is the exporter benchmark, and its table.
func benchExporter(ctx context.Context, cfg bench.ExporterConfig, stdout io.Writer) error {
	results, err := bench.Exporter(ctx, cfg)
	if ctx.Err() != nil {
		return errBenchInterrupted
	}
	if err != nil {
		return fmt.Errorf("exporter benchmark: %w", err)
	}
	return bench.WriteExporter(stdout, results, cfg, runtime.NumCPU())
}

// exporterSizes are the dumps the exporter benchmark probes: of 1000
// goroutines, a small service's, and of goroutines, the size the other
// sections measure, unless 0.
func exporterSizes(goroutines int) []int {
	if goroutines == 0 || goroutines == 1000 {
		return []int{1000}
	}
	return []int{1000, goroutines}
}

// benchDumps leaks goroutines goroutines on a fresh pair's server 2, and
// on it runs the /stats benchmark and measures what each form of its
// goroutine profile costs it; then connleak diagnose, and the panicparse
// binary pp if not "", on that server's dump.
func benchDumps(ctx context.Context, exe, dir, pp string, goroutines, rounds int, stdout io.Writer) (err error) {
	p, err := bench.Leak(ctx, exe, dir, goroutines)
	defer func() {
		if stopErr := p.Stop(); stopErr != nil && err == nil {
			err = stopErr
		}
	}()
	if ctx.Err() != nil {
		return errBenchInterrupted
	}
	if err != nil {
		return fmt.Errorf("leaking %d goroutines: %w", goroutines, err)
	}
	sr, err := bench.Stats(ctx, p.Server2, dir, rounds)
	if ctx.Err() != nil {
		return errBenchInterrupted
	}
	if err != nil {
		return fmt.Errorf("/stats benchmark: %w", err)
	}
	if err := bench.WriteStats(stdout, sr); err != nil {
		return err
	}
	pc, err := bench.ProbeCost(ctx, p.Server2, rounds)
	if ctx.Err() != nil {
		return errBenchInterrupted
	}
	if err != nil {
		return fmt.Errorf("goroutine profile benchmark: %w", err)
	}
	if err := bench.WriteProbeCost(stdout, pc); err != nil {
		return err
	}
	dr, err := bench.Diagnose(ctx, exe, sr.Dump, pp, 3)
	if ctx.Err() != nil {
		return errBenchInterrupted
	}
	if err != nil {
		return fmt.Errorf("diagnose benchmark: %w", err)
	}
	return bench.WriteDiagnose(stdout, dr)
}

// lookPath is the absolute path of the binary a flag names, as go vet's
// -vettool wants it; "" for "".
func lookPath(flag, name string) (string, error) {
	if name == "" {
		return "", nil
	}
	path, err := exec.LookPath(name)
	if err == nil {
		path, err = filepath.Abs(path)
	}
	if err != nil {
		return "", fmt.Errorf("%s: %w", flag, err)
	}
	return path, nil
}
