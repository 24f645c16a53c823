// Package bench measures what each configuration costs, on real processes.
// Run puts every case of Cases (plain net/http and server 1's /hello as
// references, then every scenario of the catalogue) on a fresh pair of
// servers under the same kept-alive load, round after round, and
// WriteTable compares their medians with net/http. Stats times /stats on a
// server holding many leaked goroutines next to pprof's own profiles;
// Diagnose times connleak diagnose on that server's dump next to
// panicparse, given its binary; Vet times connleak vet next to go vet;
// Exporter probes connleak exporter, a child process, with many loopback
// targets that serve a lab server's saved goroutine profiles, and takes its
// CPU time per probe and its memory.
//
// Nothing here fetches or builds a peer: `make bench` installs panicparse,
// pinned, and passes it to `connleak bench -panicparse`.
package bench
