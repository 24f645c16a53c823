package vet_test

import (
	"fmt"

	"github.com/connleak/connleak/vet"
)

func ExampleChecks() {
	for _, c := range vet.Checks() {
		fmt.Println(c.ID, c.Analyzer.Name)
	}
	// Output:
	// transport-idle-timeout transportidletimeout
	// client-per-call clientpercall
	// server-idle-timeout serveridletimeout
	// body-not-closed bodynotclosed
}
