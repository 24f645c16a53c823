// Package demo runs connleak's scenarios on real processes: it starts two
// instances of the connleak binary as child processes on free loopback ports
// (server 2 forwarding to server 1) and stops them by their process.
package demo
