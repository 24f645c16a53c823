// Command main is connleak as the original two-terminal walkthrough runs it:
// the same program as cmd/connleak. Start it twice: server 2's /forward
// calls server 1's /hello, and both report their goroutine counts.
//
//	go run ./main/main.go                         # server 1 on :8080
//	BIND_ADDRESS=:9090 go run ./main/main.go      # server 2, forwards to localhost:8080
//	curl localhost:9090/forward
//
// Every other command works here too (go run ./main demo, go run ./main
// diagnose dump.txt); connleak help lists them.
package main

import (
	"os"

	"github.com/connleak/connleak/cmd/connleak/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:]))
}
