package report

import (
	"cmp"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/connleak/connleak/internal/lab/demo"
)

// WriteTable writes one row per result, the scenario first, then one line
// that says which configuration to use and why.
func WriteTable(w io.Writer, results []demo.Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENARIO\tSEED\tPER-REQ-2\tPER-REQ-1\tLEFT-2\tLEFT-1\tOPENED\tREUSED\tP99\tMEM/CONN-2\tMEM/CONN-1\tVERDICT\tDIAGNOSE-2\tDIAGNOSE-1")
	for _, r := range results {
		p2, p1 := r.PerRequest()
		l2, l1 := r.Left()
		m2, m1 := r.MemPerConn()
		per2, per1 := fmt.Sprintf("%+.2f", p2), fmt.Sprintf("%+.2f", p1)
		if r.Concurrency > 1 {
			per2, per1 = fmt.Sprintf("%d at once", r.Concurrency), "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%+d\t%+d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n",
			r.Name, r.Seed, per2, per1, l2, l1, r.Opened, r.Reused, p99(r.P99), kib(m2), kib(m1), r.VerdictText(), cmp.Or(r.Diagnosis2, "-"), cmp.Or(r.Diagnosis1, "-"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%s\n%s\n", legend, Advice(results))
	return err
}

// legend explains the table's columns.
const legend = "-2: server 2, -1: server 1. PER-REQ: goroutines added per request, or how many requests were sent at once. LEFT: goroutines over baseline after the idle wait.\n" +
	"OPENED, REUSED: server 2's connections to server 1. P99: the requests' latency. MEM/CONN: heap and stack per held connection.\n" +

	"DIAGNOSE: what connleak diagnose named on each server's goroutine dump (debug=2) after the idle wait, or, for a row about calls under way, while they were."

func p99(d time.Duration) string {
	switch {
	case d == 0:
		return "-"
	case d >= time.Second:
		return fmt.Sprintf("%.2fs", d.Seconds())
	}
	return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
}

func kib(b uint64) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f KiB", float64(b)/1024)
}

// Advice is the one line under the table: which configuration to use, with
// this run's numbers where it has them.
func Advice(results []demo.Result) string {
	const use = "Use one shared client with a bounded IdleConnTimeout, read every body to the end, and set IdleTimeout on servers"
	var shared, leak *demo.Result
	for i := range results {
		switch results[i].Name {
		case "shared-client":
			shared = &results[i]
		case "leak":
			leak = &results[i]
		}
	}
	if shared == nil || leak == nil {
		return use + "."
	}
	l2, _ := leak.Left()
	s2, _ := shared.Left()
	return fmt.Sprintf("%s: shared-client opened %d connection for %d requests and left %+d goroutines on server 2; a client per request (leak) opened %d and left %+d.",
		use, shared.Opened, shared.N, s2, leak.Opened, l2)
}
