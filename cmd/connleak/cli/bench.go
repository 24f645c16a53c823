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
	f, err := parseBenchFlags(args, e)
	if err != nil {
		return helpIsSuccess(err) // -h: the usage, and nothing run
	}
	pp, err := lookPath("-panicparse", f.panicparse)
	if err != nil {
		return err
	}
	bc, err := lookPath("-bodyclose", f.bodyclose)
	if err != nil {
		return err
	}
	exe, dir, err := labBinary("connleak-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg := bench.Config{Exe: exe, Dir: dir, C: f.c, Duration: f.d, Rounds: f.rounds, Cases: bench.Cases(f.c), Log: e.stderr}
	if f.load {
		if err := benchLoad(ctx, cfg, e.stdout); err != nil {
			return err
		}
	}
	if f.goroutines > 0 {
		if err := benchDumps(ctx, exe, dir, pp, f.goroutines, 2*cfg.Rounds, e.stdout); err != nil {
			return err
		}
	}
	if f.vetDir != "" {
		if err := benchVet(ctx, bench.VetConfig{Exe: exe, Module: f.vetDir, Dir: dir, BodyClose: bc, Rounds: f.rounds, Log: e.stderr}, e.stdout); err != nil {
			return err
		}
	}
	if f.targets > 0 {
		err := benchExporter(ctx, bench.ExporterConfig{Exe: exe, Dir: dir, Goroutines: exporterSizes(f.goroutines), Procs: []int{1, 2},
			Targets: f.targets, C: f.c, Duration: f.d, Rounds: f.rounds, Log: e.stderr}, e.stdout)
		if err != nil {
			return err
		}
	}
	if f.hostileTargets == 0 {
		return nil
	}
	return benchHostile(ctx, bench.HostileConfig{Exe: exe, Dir: dir, Targets: f.hostileTargets, Rounds: 3, Timeout: 10 * time.Second}, e.stdout)
}

// benchFlags are connleak bench's flags.
type benchFlags struct {
	c, rounds, goroutines, targets, hostileTargets int
	d                                              time.Duration
	load                                           bool
	vetDir, bodyclose, panicparse                  string
}

// parseBenchFlags parses and checks connleak bench's command line.
func parseBenchFlags(args []string, e env) (benchFlags, error) {
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
	var f benchFlags
	fs.IntVar(&f.c, "c", 8, "requests at once")
	fs.DurationVar(&f.d, "d", 1500*time.Millisecond, "`duration` of each run")
	fs.IntVar(&f.rounds, "r", 5, "`rounds`: runs of each configuration, interleaved")
	fs.BoolVar(&f.load, "load", true, "time every case under load, the table (false: skip it)")
	fs.StringVar(&f.vetDir, "vet", ".", "then time connleak vet, go vet and bodyclose on ./... of the module this `directory` is in, in a copy (\"\": skip)")
	fs.StringVar(&f.bodyclose, "bodyclose", "", "time this bodyclose `binary` too, under go vet and on its own, next to connleak vet; make bench installs it, pinned")
	fs.IntVar(&f.goroutines, "g", 18000, "then time /stats on a server 2 with this many leaked `goroutines`, measure what each form of its goroutine profile costs it, and time connleak diagnose on its dump (0: skip)")
	fs.IntVar(&f.targets, "targets", 100, "then probe connleak exporter, at GOMAXPROCS=1 and 2, with this `many` loopback targets serving server 2's dumps at 1000 and at -g goroutines (0: skip)")
	fs.IntVar(&f.hostileTargets, "hostile", 64, "then time connleak diagnose on hostile profiles, each made to take memory out of proportion to its 64 KB, and probe connleak exporter with this `many` loopback targets serving each at once (0: skip)")
	fs.StringVar(&f.panicparse, "panicparse", "", "time this panicparse `binary` (pp) on that dump too, next to connleak diagnose; make bench installs it, pinned")
	if err := parseFlags(fs, args); err != nil {
		return f, err
	}
	switch {
	case fs.NArg() > 0:
		return f, fmt.Errorf("bench takes no arguments, got %q", fs.Args())
	case f.c < 1 || f.c > 256 || f.d <= 0 || f.d > time.Minute || f.rounds < 1 || f.rounds > 20 || f.goroutines < 0 || f.goroutines > 2*server.DefaultMaxHeld():
		return f, fmt.Errorf("-c %d -d %v -r %d -g %d: accepts -c from 1 to 256, -d up to 1m, -r from 1 to 20, -g from 0 to %d", f.c, f.d, f.rounds, f.goroutines, 2*server.DefaultMaxHeld())
	case f.targets < 0 || f.targets > 1000:
		return f, fmt.Errorf("-targets %d: accepts 0 to 1000", f.targets)
	case f.hostileTargets < 0 || f.hostileTargets > 1000:
		return f, fmt.Errorf("-hostile %d: accepts 0 to 1000", f.hostileTargets)
	}
	return f, nil
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
