package diagnose

import "github.com/connleak/connleak/dump"

// Process is what this process's own goroutines say of its HTTP
// connections, read in-process (dump.ReadRuntime: no endpoint, no text in
// between), at the thresholds of the registry and with no sites, as a
// collector reads it at every scrape. Its cost is the same whether the
// goroutines carry pprof labels or not.
func Process() (Report, error) {
	d := Diagnosis{NoSites: true}
	format, err := dump.ReadRuntime(d.Add)
	if err != nil {
		return Report{}, err
	}
	return d.Report(format), nil
}
