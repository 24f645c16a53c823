package report

import (
	"cmp"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"time"

	"github.com/connleak/connleak/internal/lab/demo"
	"github.com/connleak/connleak/internal/lab/scenario"
)

//go:embed report.html
var reportHTML string

var reportTemplate = template.Must(template.New("report").Parse(reportHTML))

// WriteHTML writes a self-contained HTML report: the table, and for each
// scenario its chart, its explanation and the curl loop that reproduces it.
func WriteHTML(w io.Writer, results []demo.Result, n int, wait time.Duration) error {
	type row struct {
		scenario.Scenario
		Per2, Per1, Left2, Left1, Mem2, Mem1, VerdictText, Curl string
		Diagnosis2, Diagnosis1                                  string
		Opened, Reused                                          int64
		Verdict                                                 scenario.Verdict
		Chart                                                   template.HTML
	}
	rows := make([]row, len(results))
	for i := range results {
		r := &results[i]
		p2, p1 := r.PerRequest()
		l2, l1 := r.Left()
		m2, m1 := r.MemPerConn()
		rows[i] = row{
			Scenario: r.Scenario,
			Per2:     fmt.Sprintf("%+.2f", p2), Per1: fmt.Sprintf("%+.2f", p1),
			Left2: fmt.Sprintf("%+d", l2), Left1: fmt.Sprintf("%+d", l1),
			Mem2: kib(m2), Mem1: kib(m1),
			Opened: r.Opened, Reused: r.Reused,
			Verdict: r.Verdict, VerdictText: r.VerdictText(),
			Diagnosis2: cmp.Or(r.Diagnosis2, "-"), Diagnosis1: cmp.Or(r.Diagnosis1, "-"),
			Curl:  r.Curl(r.N),
			Chart: template.HTML(Chart(r)), // built from numbers and the scenario's name only
		}
	}
	return reportTemplate.Execute(w, struct {
		N      int
		Wait   time.Duration
		Rows   []row
		Advice string
	}{n, wait, rows, Advice(results)})
}
