// Package clientpercall defines an Analyzer for connleak's check
// client-per-call.
//
// # Analyzer clientpercall
//
// clientpercall: report HTTP clients and Transports made per call
//
// An http.Transport, an http.Client with a Transport of its own, a Resty
// client or a go-retryablehttp one is a connection pool. Made per call,
// inside a loop, inside an HTTP handler, or inside any function that does
// not keep it, each call makes a pool that nothing shares, and its idle
// connections stay: for ever with a bare Transport, 90 seconds with
// Resty's or go-retryablehttp's; a readLoop and a writeLoop each in this
// program, and a conn.serve in the server. Made once, in main or init or
// a package variable, kept and shared, it is the fix.
//
// A pool is made where a Transport is made, or where a constructor is
// called: a function of the module that makes a pool and returns it, kept
// nowhere else and not released (newClient, an SDK's NewClient, a copy
// of a client given a Transport of its own; a fact carries it across
// packages). It is made by a Transport literal or
// new(http.Transport) (unless DisableKeepAlives is a constant true: it
// keeps no connection; below), a Clone of one (http.DefaultTransport's too: the clone is
// a new pool), resty.New and Resty's other New functions,
// resty.NewWithClient of a client made here without a Transport (Resty
// makes it one), and retryablehttp.NewClient (its HTTPClient has a
// Transport of go-cleanhttp's, made per call) unless the function sets
// that HTTPClient, or its Transport, to a value not made of the client's
// own. A Client literal on a Transport the function did not make (a
// package variable, http.DefaultTransport, a parameter, a field) shares
// that pool, and is no finding. The analyzer follows what the function
// makes through its local variables, assignments (client.Transport = t),
// struct copies (c := *client), field stores into values the function
// made, Resty's SetTransport and NewWithClient, the result of a callee
// that holds what it is given (below), and closures; a Transport given to
// a client made here is that client's pool, and a pool is one finding, at
// the Resty or go-retryablehttp client, else at the http.Client, else at
// the Transport.
//
// A pool made once, in no loop, in a test function that closes an
// httptest.Server or an http.Server is no finding: the server's Close
// ends every idle connection to it.
//
// A pool is kept when it outlives the call: stored in a field, a global,
// or an element of what the function did not make; returned; sent on a
// channel; captured by a goroutine, or by a closure that is itself kept;
// passed to a callee that keeps it. A goroutine that the function joins
// before it returns keeps nothing past the call: a func literal without
// arguments, run by a go statement, whose last statement is wg.Done() or
// which defers it, and which calls Done once, or run by wg.Go; wg a
// sync.WaitGroup declared in the function, used only by its own Add, Done,
// Go and Wait calls; and a wg.Wait() statement after it in a block around
// it, with no return, goto or break or continue out of that block in
// between (the whole of a loop that runs the goroutine counts as in
// between). Each function of the package has a
// fact, exported for the packages that import it, saying which of its
// parameters it keeps, and which of the others its result holds and
// nothing else does, as a wrapper's holds what it wraps: a pool passed to
// such a callee is followed into the call's result, and is kept where
// that is. A callee without a fact (the standard library's, an interface's
// method, a func value) is taken to keep what it is given, but for a
// wrapper's shape: a package-level function that is given the pool as an
// http.RoundTripper, an *http.Transport or an *http.Client and returns an
// *http.Client or a value with a RoundTrip method, an error beside it or
// not, as otelhttp.NewTransport(base) does, is taken to hold it in its
// result alone. (Every other module's function has its fact: go vet, and
// vet.Run, read them from source.) The methods of net/http's Client and
// Transport, of Resty's Client and Request, and of go-retryablehttp's
// Client keep nothing.
//
// A pool released on the function's way out is no leak:
// CloseIdleConnections on the Transport or a client, or Resty v3's Close,
// deferred, called in a func literal that is deferred or handed to the
// Cleanup of a *testing.T, B or F (or a testing.TB), handed to Cleanup as
// a method value (t.Cleanup(tr.CloseIdleConnections)), or called later in
// a block around where the pool is made with no loop in between (a return
// before it is not looked for). Only the function that makes the pool
// releases it so: a Cleanup or a defer elsewhere, or on a package's pool,
// does not count, since that pool is still used after it. Cleanup runs
// when the test ends, not when the function returns: it counts in a
// function that runs once (below), whose pool lives as long as the test,
// and not in a helper, which holds a pool per call until then. A release
// on a client over a wrapper counts as well, though a wrapper without a
// CloseIdleConnections of its own (otelhttp's Transport) passes it on to
// nothing: the pool it wraps is not released.
//
// A function that runs once is main, init, a test, benchmark, fuzz target
// or example, and a func literal handed to (*testing.T).Run or
// (*testing.B).Run, a subtest, in a function that runs once: a pool made
// there once is no finding. A Run in a loop, a table's, runs its subtest
// per iteration, each making a pool of its own and dropping it with its
// idle connections: that is reported, as a pool made in the loop itself
// is, unless the subtest releases it. A func literal handed to any other
// function (a Run of another type, ginkgo's It or Describe) runs as often
// as that function calls it, which the analyzer cannot know: a pool made
// there and dropped is reported, as in any function. ginkgo's It, for one,
// runs its body once per spec, but once more per retry or repeat, and its
// BeforeEach once per spec: it takes a //connleak:ignore directive.
//
// A loop is where code repeats: a loop's body, and a for's condition and
// post statement; a range's expression and a for's init run once.
// DisableKeepAlives is read by its constant value: a written-out false is
// none, and a constant true, in the literal or assigned later, makes no
// pool. A value known only at run time is not taken as true: the option's
// other value, false, often its default, makes a pool, and the finding
// says that it holds unless DisableKeepAlives is true; so at the call of a
// constructor whose Transport copies DisableKeepAlives from another.
package clientpercall
