// Package demo runs connleak's scenarios on real processes. Start and
// StartPair start instances of the connleak binary as child processes on
// free loopback ports (server 2 forwarding to server 1) and Stop stops
// them by their process; Run runs each scenario of the catalogue on a fresh
// pair, samples both servers' /stats while the requests come and through an
// idle wait, and gives each a verdict (LEAKS, RECOVERS or FLAT) and what
// connleak diagnose names on each server's dump; Check compares them with
// the catalogue.
//
// The table and the HTML report of the results are package report's; the
// requests are package load's; the costs of each configuration are package
// bench's.
package demo
