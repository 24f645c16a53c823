// Package golangci is connleak's checks as a golangci-lint v2 module
// plugin: the linter "connleak", whose analyzers are vet.Analyzers, the
// registry's, run on type-checked packages.
//
// golangci-lint builds module plugins into a binary of its own. In the
// module to lint, .custom-gcl.yml names the plugin (a version, as go get
// takes it, or path: a checkout of connleak):
//
//	version: v2.15.0
//	name: custom-gcl
//	destination: bin
//	plugins:
//	  - module: github.com/connleak/connleak
//	    import: github.com/connleak/connleak/vet/golangci
//	    version: <a connleak version>
//
// `golangci-lint custom` builds bin/custom-gcl from it, and .golangci.yml
// enables the linter:
//
//	version: "2"
//	linters:
//	  enable:
//	    - connleak
//	  settings:
//	    custom:
//	      connleak:
//	        type: module
//	        description: goroutine leaks from HTTP connections
//	        settings:
//	          checks: [transport-idle-timeout, server-idle-timeout]
//
// then `bin/custom-gcl run ./...`. The one setting, checks, lists the ids
// of the checks to run (docs/checks.md names them); without it, or with
// an empty list, every check runs. A check that does not exist, a setting
// that is not checks, or a value of the wrong type stops golangci-lint
// with an error that says so, naming the checks that exist.
//
// Each finding's message ends in its check's id in brackets, as connleak
// vet writes it, and golangci-lint puts the analyzer's name before it. A
// comment `//connleak:ignore <check> <reason>` on the line of a finding,
// or the line above, silences it, as with connleak vet; golangci-lint's
// own `//nolint:connleak` silences every check on its line.
package golangci
