// Package vet finds the patterns of connleak's catalogue in a program's
// source before they leak in production: analyzers built on
// golang.org/x/tools/go/analysis, the library under `connleak vet`. One
// analyzer per check, each in a package of its own:
//
//	transport-idle-timeout  vet/transportidletimeout  an http.Transport that keeps idle connections for ever
//	client-per-call         vet/clientpercall         a Transport, a Client with its own Transport, or a Resty or go-retryablehttp client made per call
//	server-idle-timeout     vet/serveridletimeout     an http.Server that keeps idle connections for ever
//	body-not-closed         vet/bodynotclosed         a response body, net/http's or a Resty raw one, not closed on every path
//
// A comment `//connleak:ignore <check> <reason>` on the line of a finding,
// or the line above, silences it; raw-body-not-closed, body-not-closed's
// old id, still silences body-not-closed.
//
// Run loads the packages of a module and returns their findings, and with
// Options.Fix applies the suggested fixes that are safe (fix.go):
//
//	res, err := vet.Run(ctx, []string{"./..."}, vet.Options{})
//	for _, f := range res.Findings {
//		fmt.Printf("%s: %s\n", f.Pos, f.Message)
//	}
//
// Analyzers are the same checks for a driver of one's own, such as
// unitchecker (go vet -vettool) or multichecker; Checks and Info are the
// registry of checks: ids, what each finds, links to docs/checks.md.
package vet
