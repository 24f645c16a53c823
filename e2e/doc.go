// Package e2e holds connleak's end-to-end tests: what can only be seen on
// real processes. Goroutine counts are per process, so the physics of every
// scenario runs on two servers; signals and stops, the demo, load and bench
// commands, the live page in a browser, diagnose and vet on real processes,
// and the exporter scraped by a real Prometheus with the configuration and
// alerts of the repository's exporter/prometheus/ folder run the connleak binary,
// which TestMain builds, with -race when the tests run with -race, so that
// the race detector checks the server code these tests drive.
//
// The tests of one server's behaviour run in process, in package server;
// those of the commands, in package cli. go test -short skips this package.
package e2e
