// Command connleak finds, explains and reproduces goroutine leaks from HTTP
// connections kept open:
//
//	connleak diagnose http://your-service:6060/debug/pprof/goroutine   # what a dump's connections say
//	connleak vet ./...                                               # the leaky patterns in code
//	connleak demo                                                    # the lab: every scenario, measured
//	connleak help                                                    # every command
//
// Install it with go install github.com/connleak/connleak/cmd/connleak@latest,
// or from a clone with go install ./cmd/connleak.
package main

import (
	"os"

	"github.com/connleak/connleak/cmd/connleak/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:]))
}
