// Package vet is `connleak vet`: analyzers, built on
// golang.org/x/tools/go/analysis, that find the patterns of connleak's
// catalogue in a program's source before they leak in production. One
// analyzer per check:
//
//	transport-idle-timeout  an http.Transport literal with neither IdleConnTimeout nor DisableKeepAlives (transport.go)
//	client-per-call         a Transport, a Client with its own Transport, or a Resty client made per call (clientpercall.go)
//	server-idle-timeout     an http.Server literal with neither IdleTimeout nor ReadTimeout, and http.ListenAndServe and the like (server.go)
//	raw-body-not-closed     a Resty response taken with SetDoNotParseResponse(true) whose RawBody() is never closed (rawbody.go)
//
// A comment `//connleak:ignore <check> <reason>` on the line of a finding,
// or the line above, silences it (ignore.go).
package vet
