// Package bench measures what each configuration costs, on real processes.
// Run puts every case of Cases (plain net/http and server 1's /hello as
// references, then every scenario of the catalogue) on a fresh pair of
// servers under the same kept-alive load, round after round, and
// WriteTable compares their medians with net/http. Leak starts a pair
// whose server 2 holds many leaked goroutines; on it, Stats times /stats
// next to pprof's own profiles, and ProbeCost measures what each form of
// the goroutine profile (debug=0, 1, 2) costs that server: its CPU time and
// its stop-the-world pauses per fetch. Diagnose times connleak diagnose on
// that server's dump next to panicparse, given its binary; Vet times
// connleak vet next to go vet; Exporter probes connleak exporter, a child
// process, with many loopback targets that serve a lab server's saved
// goroutine profiles, and takes its CPU time per probe and its memory.
//
// Nothing here fetches or builds a peer: `make bench` installs panicparse,
// pinned, and passes it to `connleak bench -panicparse`.
package bench
