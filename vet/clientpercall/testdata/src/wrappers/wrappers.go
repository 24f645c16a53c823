// Package wrappers holds wrappers of a RoundTripper with bodies, for the
// facts of client-per-call: one whose result holds what it is given, and
// one that also keeps it.
package wrappers

import "net/http"

type logged struct{ next http.RoundTripper }

func (l *logged) RoundTrip(r *http.Request) (*http.Response, error) { // want RoundTrip:`keeps\(receiver,0\)`
	return l.next.RoundTrip(r)
}

// Logged wraps rt: its result holds rt, and nothing else does.
func Logged(rt http.RoundTripper) http.RoundTripper { // want Logged:`keeps\(\) returns\(0\)`
	if rt == nil {
		rt = http.DefaultTransport
	}
	l := &logged{next: rt}
	return l
}

var registry []http.RoundTripper

// Registered wraps rt, and keeps it in a registry of the package.
func Registered(rt http.RoundTripper) http.RoundTripper { // want Registered:`keeps\(0\)`
	registry = append(registry, rt)
	return &logged{next: rt}
}

// Pool holds a Transport.
type Pool struct{ Transport *http.Transport }

// Tuned tunes p's Transport and returns p: its result holds its receiver.
func (p *Pool) Tuned() *Pool { // want Tuned:`keeps\(\) returns\(receiver\)`
	p.Transport.MaxIdleConnsPerHost = 16
	return p
}
