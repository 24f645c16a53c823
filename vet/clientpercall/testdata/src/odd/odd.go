// Package odd holds code of unusual shapes around clients, for the
// analyzer to walk without a panic and without a wrong finding.
package odd

import (
	"net/http"
	"sync"
)

type box[T any] struct{ v T }

func get[T any](b *box[T]) T { return b.v }

// Generic code: get returns what the box holds, which its caller follows.
func generic(url string) {
	b := &box[*http.Client]{v: &http.Client{Transport: &http.Transport{}}} // want `made per call \(and dropped when the function returns\)`
	get(b).Get(url)
}

// A type switch, a select, labels, a map key: each is taken to keep what
// it is given, or is followed; a method value dropped drops its client.
func shapes(ch chan *http.Client, m map[*http.Client]int, x any) {
	c := &http.Client{Transport: &http.Transport{}}
	switch v := x.(type) {
	case *http.Client:
		_ = v
	}
	select {
	case ch <- c:
	default:
	}
outer:
	for range 1 {
		break outer
	}
	m[&http.Client{Transport: &http.Transport{}}] = 1
	do := (&http.Client{Transport: &http.Transport{}}).Do // want `made per call \(and dropped when the function returns\)`
	_ = do
}

var once sync.Once
var client *http.Client

// Made once, by a closure that stores it in a package variable.
func lazy() *http.Client {
	once.Do(func() { client = &http.Client{Transport: &http.Transport{}} })
	return client
}

// A closure kept in a variable and only called: the pool is dropped.
func called(url string) {
	c := &http.Client{Transport: &http.Transport{}} // want `an http.Client with a Transport of its own made per call`
	fetch := func() { c.Get(url) }
	fetch()
	defer func() { fetch() }()
}

// Recursion that only uses its client.
func walk(c *http.Client, urls []string) {
	if len(urls) == 0 {
		return
	}
	c.Get(urls[0])
	walk(c, urls[1:])
}

func walkAll(urls []string) {
	walk(&http.Client{Transport: &http.Transport{}}, urls) // want `an http.Client with a Transport of its own made per call`
}
