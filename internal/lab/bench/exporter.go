package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/connleak/connleak/exporter"
)

// ExporterConfig says how Exporter runs.
type ExporterConfig struct {
	Exe        string        // the connleak binary: the lab pair that makes the dumps, and the exporter
	Dir        string        // where the dumps and the processes' logs go
	Goroutines []int         // the sizes of the dumps, in server 2's goroutines
	Procs      []int         // the exporter's GOMAXPROCS, one run each
	Targets    int           // loopback targets serving each dump
	C          int           // probes at once, at most one per target
	Duration   time.Duration // of each run
	Rounds     int           // runs of each case, interleaved
	Log        io.Writer     // a line per run; nil for none
}

// A core is judged by the fleet it can probe: fleetGoal services, every
// FleetInterval.
const (
	FleetInterval = 30 * time.Second
	fleetGoal     = 1000
)

// ExporterCase is one configuration Exporter measures: the targets' dump,
// the module the probes name, which says the form asked of the targets,
// and the exporter's GOMAXPROCS.
type ExporterCase struct {
	Goroutines int // in the dump, as the exporter counted them
	Module     string
	Debug      int // the form the module asks for
	DumpBytes  int // of the dump in that form
	GOMAXPROCS int
}

// ExporterSample is what one run of one case measured.
type ExporterSample struct {
	ProbesPerSec float64
	Probes       int           // answered during the run, each with probe_success 1
	Fetches      int           // of the targets' dumps; fewer than Probes where probes shared one
	CPUPerProbe  time.Duration // the exporter's user and system CPU time over the run, per probe
	PeakRSS      int64         // the exporter's peak resident memory (VmHWM), in bytes
	EndRSS       int64         // its resident memory when the run ended (VmRSS)
}

// Fleet is how many services one core could probe every FleetInterval at
// s's CPU per probe; 0 where none was measured.
func (s ExporterSample) Fleet() int {
	if s.CPUPerProbe <= 0 {
		return 0
	}
	return int(FleetInterval / s.CPUPerProbe)
}

// ExporterResult is a case and the median of its runs.
type ExporterResult struct {
	ExporterCase
	Runs   []ExporterSample
	Median ExporterSample
}

// exporterModules are the modules Exporter probes with: the built-in two,
// and the form each asks for.
var exporterModules = []struct {
	name  string
	debug int
}{{exporter.DefaultModule, exporter.DefaultDebug}, {exporter.WaitsModule, 2}}

// Exporter measures connleak exporter's probes: it makes server 2 of a lab
// pair hold each count of goroutines of cfg.Goroutines and saves its
// goroutine profile in both forms, stops the pair, and serves each dump
// from cfg.Targets loopback servers of this process. Then, for every dump,
// module and GOMAXPROCS, it starts the exporter as a child process and
// probes those targets round robin, cfg.C at once, for cfg.Duration, on
// kept-alive connections, cfg.Rounds times (each round runs every case
// once, on a fresh exporter), and takes the medians.
func Exporter(ctx context.Context, cfg ExporterConfig) (results []ExporterResult, err error) {
	if cfg.Targets < 1 || cfg.C < 1 || len(cfg.Goroutines) == 0 || len(cfg.Procs) == 0 {
		return nil, fmt.Errorf("exporter benchmark: %d targets, %d at once, %d sizes, %d GOMAXPROCS: want at least one of each", cfg.Targets, cfg.C, len(cfg.Goroutines), len(cfg.Procs))
	}
	dumps, err := makeDumps(ctx, cfg.Exe, cfg.Dir, cfg.Goroutines)
	if err != nil {
		return nil, fmt.Errorf("save the dumps: %w", err)
	}
	served := make([]*targets, len(dumps))
	defer func() {
		for _, t := range served {
			if t != nil {
				err = errors.Join(err, t.close())
			}
		}
	}()
	for i, d := range dumps {
		if served[i], err = startTargets(cfg.Targets, d); err != nil {
			return nil, err
		}
	}
	type run struct {
		targets *targets
		ExporterCase
	}
	var runs []run
	for i, d := range dumps {
		for _, m := range exporterModules {
			size := len(d.Debug1)
			if m.debug == 2 {
				size = len(d.Debug2)
			}
			for _, procs := range cfg.Procs {
				runs = append(runs, run{served[i], ExporterCase{Goroutines: d.Goroutines, Module: m.name, Debug: m.debug, DumpBytes: size, GOMAXPROCS: procs}})
			}
		}
	}
	results = make([]ExporterResult, len(runs))
	for round := range cfg.Rounds {
		for i, r := range runs {
			s, goroutines, err := exporterOnce(ctx, cfg, r.targets.URLs, r.ExporterCase)
			if err != nil {
				return nil, fmt.Errorf("exporter at %d goroutines, module %s, GOMAXPROCS=%d, round %d: %w", r.Goroutines, r.Module, r.GOMAXPROCS, round+1, err)
			}
			if cfg.Log != nil {
				fmt.Fprintf(cfg.Log, "round %d/%d exporter %6d goroutines %-7s GOMAXPROCS=%d %8.1f probes/s\n", round+1, cfg.Rounds, r.Goroutines, r.Module, r.GOMAXPROCS, s.ProbesPerSec)
			}
			results[i].ExporterCase = r.ExporterCase
			results[i].Goroutines = goroutines
			results[i].Runs = append(results[i].Runs, s)
		}
	}
	for i := range results {
		results[i].Median = exporterMedian(results[i].Runs)
	}
	return results, nil
}

// exporterOnce runs one case on a fresh exporter: a warm-up of one probe
// per prober, then cfg.Duration of probes, with the exporter's CPU time
// taken on either side. It returns the goroutines the probes counted.
func exporterOnce(ctx context.Context, cfg ExporterConfig, urls []string, c ExporterCase) (s ExporterSample, goroutines int, err error) {
	x, err := startExporter(ctx, cfg.Exe, cfg.Dir, c.GOMAXPROCS)
	defer func() {
		if x != nil {
			err = errors.Join(err, x.stop())
		}
	}()
	if err != nil {
		return s, 0, err
	}
	conc := min(cfg.C, len(urls)) // so that probes at once are of distinct targets
	tr := &http.Transport{MaxIdleConnsPerHost: conc}
	defer tr.CloseIdleConnections()
	l := probeLoad{Client: &http.Client{Transport: tr, Timeout: time.Minute}, Exporter: x.URL, Module: c.Module, Targets: urls, C: conc, N: conc}
	if _, err := probeAll(ctx, l); err != nil {
		return s, 0, fmt.Errorf("warm-up: %w", err)
	}
	fetched, err := exporterFetches(ctx, l.Client, x.URL)
	if err != nil {
		return s, 0, err
	}
	cpu, err := procCPU(x.PID())
	if err != nil {
		return s, 0, err
	}
	l.N, l.Duration = 0, cfg.Duration
	sum, err := probeAll(ctx, l)
	if err != nil {
		return s, 0, err
	}
	cpuEnd, err := procCPU(x.PID())
	if err != nil {
		return s, 0, err
	}
	s = ExporterSample{ProbesPerSec: float64(sum.Probes) / sum.Wall.Seconds(), Probes: sum.Probes, EndRSS: rss(x.PID())}
	s.PeakRSS = statusBytes(x.PID(), "VmHWM") // after: at least EndRSS
	if sum.Probes > 0 {
		s.CPUPerProbe = (cpuEnd - cpu) / time.Duration(sum.Probes)
	}
	fetchedEnd, err := exporterFetches(ctx, l.Client, x.URL)
	s.Fetches = fetchedEnd - fetched
	return s, sum.Goroutines, err
}

// exporterMedian takes the median of each measure on its own.
func exporterMedian(runs []ExporterSample) ExporterSample {
	pick := func(f func(ExporterSample) float64) float64 {
		vs := make([]float64, len(runs))
		for i, r := range runs {
			vs[i] = f(r)
		}
		slices.Sort(vs)
		if n := len(vs); n%2 == 1 {
			return vs[n/2]
		}
		return (vs[len(vs)/2-1] + vs[len(vs)/2]) / 2
	}
	return ExporterSample{
		ProbesPerSec: pick(func(r ExporterSample) float64 { return r.ProbesPerSec }),
		Probes:       int(pick(func(r ExporterSample) float64 { return float64(r.Probes) })),
		Fetches:      int(pick(func(r ExporterSample) float64 { return float64(r.Fetches) })),
		CPUPerProbe:  time.Duration(pick(func(r ExporterSample) float64 { return float64(r.CPUPerProbe) })),
		PeakRSS:      int64(pick(func(r ExporterSample) float64 { return float64(r.PeakRSS) })),
		EndRSS:       int64(pick(func(r ExporterSample) float64 { return float64(r.EndRSS) })),
	}
}

// WriteExporter writes the medians, one row per case, under a line that
// says what was measured and on how many cores, and the fleet one core
// could probe every FleetInterval at each case's CPU per probe.
func WriteExporter(w io.Writer, results []ExporterResult, cfg ExporterConfig, cores int) error {
	_, err := fmt.Fprintf(w, "\nconnleak exporter on %d cores: %d loopback targets serving saved goroutine profiles, probed round robin, %d at once on kept-alive connections,\n"+
		"for %v per run on a fresh exporter, medians of %d interleaved runs:\n", cores, cfg.Targets, min(cfg.C, cfg.Targets), cfg.Duration, cfg.Rounds)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "GOROUTINES\tMODULE\tFORM\tDUMP\tGOMAXPROCS\tPROBES/S\tCPU/PROBE\tFLEET/CORE\tPEAK-RSS\tRSS-END\tPROBES\tFETCHES")
	for _, r := range results {
		m := r.Median
		fmt.Fprintf(tw, "%d\t%s\tdebug=%d\t%s\t%d\t%.1f\t%s\t%d\t%s\t%s\t%d\t%d\n", r.Goroutines, r.Module, r.Debug, bytesText(r.DumpBytes),
			r.GOMAXPROCS, m.ProbesPerSec, millis(m.CPUPerProbe, 2), m.Fleet(), mib(m.PeakRSS), mib(m.EndRSS), m.Probes, m.Fetches)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "CPU/PROBE: the exporter's user and system CPU time over a run (/proc, 10ms ticks) over its probes. FLEET/CORE: the services one core\n"+
		"could probe every %v at that cost; the goal is %d (%.1f probes/s). PEAK-RSS: the exporter's peak resident memory, RSS-END at the\n"+
		"run's end. FETCHES: of the targets, fewer than PROBES where probes of one target at once shared one. The targets and the probes\n"+
		"run in the bench's own process, on the same cores.\n", FleetInterval, fleetGoal, fleetGoal/FleetInterval.Seconds())
	return err
}

// bytesText writes a size in kB or MB.
func bytesText(n int) string {
	if n >= 1e6 {
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.1f kB", float64(n)/1e3)
}
