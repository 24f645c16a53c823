package diagnose

import (
	"bytes"
	"errors"
	"runtime/pprof"

	"github.com/connleak/connleak/dump"
)

// Process is what this process's own goroutines say of its HTTP
// connections, read in-process, at the thresholds of the registry and with
// no sites, as a collector reads it at every scrape. It reads them with
// dump.ReadRuntime (no endpoint, no text in between), at the same cost
// whether the goroutines carry pprof labels or not; where a stack is
// deeper than that keeps (dump.ErrDeepStacks: a handler running deep in
// middleware), with pprof's goroutine profile at debug=1, as an exporter
// probe reads it, which costs more where the goroutines carry labels.
func Process() (Report, error) {
	d := Diagnosis{NoSites: true}
	format, err := dump.ReadRuntime(d.Add)
	if errors.Is(err, dump.ErrDeepStacks) {
		var b bytes.Buffer
		if err := pprof.Lookup("goroutine").WriteTo(&b, 1); err != nil {
			return Report{}, err
		}
		d = Diagnosis{NoSites: true}
		format, err = dump.Read(&b, d.Add)
	}
	if err != nil {
		return Report{}, err
	}
	return d.Report(format), nil
}
