// Package bodynotclosed defines an Analyzer for connleak's check
// body-not-closed.
//
// # Analyzer bodynotclosed
//
// bodynotclosed: report response bodies not closed on every path
//
// A response's body is its caller's to close: until it is read to the end
// and closed, the connection under it is held, a readLoop and a writeLoop
// here and a conn.serve in the server. This analyzer reports a call that
// returns an open body whose function does not close it, or hand it on, on
// every path from the call to a return:
//
//   - net/http's Client.Do, Get, Post and PostForm, http.Get and the
//     like, Transport.RoundTrip and any RoundTripper's, but for a request
//     made for HEAD, whose reply holds no connection (head.go);
//   - a call of a func value of RoundTrip's shape, func(*http.Request)
//     (*http.Response, error): a handler, a middleware's next, a method
//     value of Client.Do;
//   - a Resty request made with SetDoNotParseResponse(true), on the request
//     or on its client (v2 and v3): its RawBody(), or RawResponse.Body;
//   - any function of the module that returns such a body, or the response
//     that holds it;
//   - a check of the module's handed the response and the error of one
//     such call, return c.check(resp, err) or c.check(c.hc.Do(req)), that
//     returns the body open (a check that closes a bad reply's body and
//     returns a good one's): the error its parameter after the body's is
//     taken as the one that came with the body, so there is no body where
//     it is not nil (a fact across packages). A check that hands the body
//     and the error, as they are, to another and returns that one's
//     results as they are does as that one does: one called by name, or a
//     function literal that a function of the package returns (`check :=
//     statusIn(200); return check(d, resp, err)`). A helper so handed a body
//     that returns at once on the error, fromResponse(resp, err), keeps it
//     or not as it does wherever there is one;
//   - a method of an interface whose every implementation the package can
//     see returns one: the named types of the package, and of the packages
//     of its module it imports, directly or not, that implement it, and
//     net/http's *http.Client (http.DefaultClient's type), so that a Doer
//     of Client.Do's shape that *http.Client and the module's wrappers
//     implement is one. A type declared in a test file, or in a package
//     that only the test files import, a mock as likely as not, counts only
//     for a call in a test file; one in a package the caller does not import
//     is not seen, and does not count; a method with no implementation seen
//     is no source. A wrapper that calls the method it implements on what it
//     wraps returns what the others do. The package of an interface tells
//     its importers what the implementations it sees do (a fact), its
//     unexported ones among them, which the importers do not see.
//
// A response stored in a struct that embeds *http.Response, or a struct of
// another package than net/http's that holds one in a named field and no
// other (RawResponse *http.Response), made where the response is
// (`&Response{Response: resp}`), is still the function's: the struct
// carries the body, and `result.Body.Close()` (`r.RawResponse.Body.Close()`)
// closes it. Resty's exported API is the exception: it opens a raw body
// only as the Resty rule above says, in Resty's own package too. So does a
// response whose Body is replaced by a wrapper of its own body (`resp.Body
// = newIdleReader(resp.Body, d)`), made by a function of the module that
// only hands what it is given back, held in what it returns, or made where
// it is stored, a struct or an array that holds the body in a field or an
// element, directly or in another it holds, and is stored nowhere else
// (`resp.Body = &multiCloser{reader: zr, closers: []io.Closer{zr,
// resp.Body}}`).
//
// The body is handed on, and so no longer the function's, where it (or its
// response) is returned, stored in a field, a global, an element or a map,
// sent on a channel, started in a goroutine, passed in a variadic argument
// (stored in its slice), or passed to a function that
// closes or keeps it: a helper of the module that does (a fact across
// packages), a function literal that does, a method value or an interface
// method or a function value the analyzer cannot see into, but for one after
// which the function itself closes or hands the body on, on some path, which
// only looks at it (looks.go). A function of a
// package loaded from export data keeps what it takes as something with a
// Close method; what it takes as an io.Reader, as io.Copy, io.ReadAll and
// json.NewDecoder do, it only reads.
//
// A function of the module that calls its func parameter with an open
// body, and neither closes, keeps nor returns it after (DoHTTPRequest(req,
// onResponse) calls onResponse(resp) and returns), hands the body to its
// callback (a fact across packages, and through interface methods whose
// every implementation seen does). A function literal given as that
// callback, func(resp *http.Response) error { ... }, owns the body as its
// one parameter that may carry one: where it does not close or hand it on,
// on every path, the finding is at the call that hands it over. Its
// parameter after the body's, where that is an error, is taken as the one
// that came with the body: where it is not nil there is no body.
//
// One that calls its func parameter with an open body and returns the
// response after, on every path on which it returns it open
// (requestWithRetries(req, handleResponse) calls handleResponse(resp,
// err), which reads and closes the body or returns it as its result, and
// returns resp), shows the body to its callback (a fact across packages).
// Who owns the body then is told at each call: where every func value
// given there, a function literal or a named function, closes, keeps or
// returns the body on some path, the body is the callback's, and the call
// returns none open; a function literal among them owns it as one a body
// is handed to does. Where one leaves the body alone (a check of the
// status), the call returns it open, for its caller to close. A callback
// whose result of the response's type may hand the body back is shown
// nothing. A function that drops what its func parameter returns, on some
// path (a retry loop that calls the callback again), is reported at that
// call where a call of the package gives it a callback that returns the
// body in that result as a check does, `return bodyOrError(resp, err)`
// (handback.go).
//
// A body read until a Read fails is done with as well: io.ReadAll(body),
// io.Copy(io.Discard, body) and io.CopyBuffer(io.Discard, body, buf) (and
// ioutil's ReadAll and Discard), a copy into a *bytes.Buffer, whose Write
// does not fail (io.Copy(&buf, body), buf.ReadFrom(body)). net/http's body (bodyEOFSignal, in
// net/http's transport.go) gives its connection back to the pool as soon
// as a Read returns io.EOF, and closes it at any other error, so such a
// body holds nothing on any path, closed or not; Resty's raw body is a
// net/http body, and the same. io.Copy to any other writer may stop at a
// write error with the body unread, and json.NewDecoder(body).Decode reads
// one value: those bodies are still open. io.Copy(io.Discard,
// io.LimitReader(body, n)) fails only where a Read of the body fails: the
// body is done with where it returns an error, and open where it returns
// none. Closing the body is still the better habit.
//
// That holds for net/http's own body alone. A body that may be a wrapper
// of it, put in the response's Body field as above, by the function or
// by a function of the module it hands the response to (a fact across
// packages), is a decoder as likely as not, which may stop before the end
// of the body under it (a corrupt gzip stream): it is done with only where
// it is closed or handed on, and reading it to its end, or handing it to
// a helper that only reads it, does not count. A function that returns
// such a body, or the response that holds it, tells its callers so (a
// fact across packages); the body of an interface method's call is taken
// as net/http's own.
//
// A function of the module that closes, keeps or reads to the end what its
// parameter holds on some paths only takes it off its caller on those
// paths alone, as far as its caller can tell them: where it does so on
// every path on which it returns a nil error (a debug dump that returns
// its error before it closes the body), the caller still owns the body
// where the call fails; where on every path on which it returns an error
// (a helper that reads an error reply's body for its message), where it
// succeeds; where its error does not tell (a constructor that keeps a 200
// reply's body and only reads a 202's), on every path. One that returns
// the error of another such (`return requireCodes(resp, 200)`) keeps the
// body where that one does.
//
// A branch on which the response is nil has no body, nor one on which the
// call's error is not nil: net/http's contract lets a caller take an error
// for no body. A function that returns a body it opened together with an
// error that may not be nil (a redirect refused) is reported at that
// return, and its callers are not; nor is one that passes such a pair on
// as a call of its own returned it (a fact across packages), but for a
// RoundTrip method, whose contract forbids the pair. An interface method or
// a function value given the response may hand it back in a result of its
// type (an error handler given the last response). The error is the call's result, or the variable it is stored in
// until another error is stored there (`err = dump(resp)`);
// where calls on two branches assign the same variables (`resp, err =
// a()` and `resp, err = b()`, then `if err != nil`), each edge into the
// check takes the error of the call on that edge. The ok of a type
// assertion of the error (`_, ok := err.(*url.Error)`) is true only where
// it is not nil. A branch on a call that
// returns a bool and is given the error, and not the response, is an
// error check too, negated or not, whatever its package: one named as
// testify's NoError and Nil are (and NoErrorf, Nilf) is false only where
// the error is not nil; any other, a predicate on a failure
// (shouldRetry(err), errors.Is(err, ErrX), testify's Error), is true only
// where it is not nil. A panic, os.Exit, log.Fatal, runtime.Goexit and
// t.Fatal end the path.
//
// With -fix, a body never closed by a function of the shape
//
//	resp, err := c.Do(req)
//	if err != nil {
//		return err
//	}
//
// outside a loop gets `defer resp.Body.Close()` after the if (`defer
// body.Close()` for a body returned alone, an io.ReadCloser); any other
// finding is left to its author. Read the body to io.EOF before it is
// closed, so the connection goes back to the pool.
package bodynotclosed
