// Package server is one connleak instance. Started twice, it gives the two
// cooperating servers of the demo: server 2's /forward calls server 1's
// /hello through a Resty client whose Transport each request chooses, and
// both report their goroutine counts.
//
// Endpoints:
//
//	GET, POST /hello     {"msg":"Hello World","goRoutines":N}; connClose, delay
//	GET /forward         {"goRoutines":N,"Server1Response":{...}}; see Options
//
// Every error is {"error":"...","goRoutines":N}: 400 for bad input, 404, 405,
// 429 when a limit is reached, 502 when server 1 cannot be reached or answers
// badly, 504 when the client's timeout fires.
//
// Some code paths leak on purpose, to show the leak; each says so in a
// comment starting with DELIBERATE LEAK. Do not copy them.
package server
