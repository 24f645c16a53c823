// Package server is one connleak instance. Started twice, it gives the two
// cooperating servers of the demo: server 2's /forward calls server 1's
// /hello through a Resty client whose Transport each request chooses, and
// both report their goroutine counts.
//
// Endpoints, one file each:
//
//	GET, POST /hello     {"msg":"Hello World","goRoutines":N}; connClose, delay (hello.go)
//	GET /forward         {"goRoutines":N,"Server1Response":{...},"connReused":B}; see Options (forward.go)
//	GET /stats           goroutines by function, connections, memory (stats.go)
//	POST /reset          closes every connection /forward holds (reset.go)
//	GET /metrics         Prometheus (metrics.go)
//	GET /, GET /live     the live page and what it polls (dashboard.go)
//	/debug/pprof/        net/http/pprof
//
// Every error is {"error":"...","goRoutines":N}: 400 for bad input, 404, 405,
// 414, 429 when a limit is reached, 502 when server 1 cannot be reached or
// answers badly, 504 when the client's timeout fires.
//
// Some code paths leak on purpose, to show the leak; each says so in a
// comment starting with DELIBERATE LEAK. Do not copy them.
package server
