// Package report shows what the demo's runs measured: WriteTable writes
// the table the demo prints, one row per scenario and a line of advice;
// WriteHTML writes the self-contained HTML report, the same table and, per
// scenario, a chart of both servers' goroutines (Chart), its explanation,
// and the command that reproduces it by hand.
package report
