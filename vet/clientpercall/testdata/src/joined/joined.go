// Package joined holds a load generator's run, which makes a Transport
// and its Client on each call and hands them only to worker goroutines
// that a sync.WaitGroup joins before it returns: the goroutines end
// there, and the pool is dropped with its idle connections, a pool per
// call. A goroutine that may outlive the call keeps what it captures.
package joined

import (
	"net/http"
	"sync"
	"time"
)

type work struct {
	N, C              int
	DisableKeepAlives bool
	results           chan int
}

func (w *work) run() {
	var wg sync.WaitGroup
	wg.Add(w.C)
	tr := &http.Transport{
		MaxIdleConnsPerHost: w.C,
		DisableKeepAlives:   w.DisableKeepAlives,
	}
	client := &http.Client{Transport: tr, Timeout: time.Minute} // want `an http.Client with a Transport of its own made per call \(and dropped when the function returns\): a connection pool nothing shares, unless DisableKeepAlives is true`
	for i := 0; i < w.C; i++ {
		go func() {
			w.worker(client, w.N/w.C)
			wg.Done()
		}()
	}
	wg.Wait()
}

func (w *work) worker(c *http.Client, n int) {
	for range n {
		resp, err := c.Get("http://localhost/")
		if err != nil {
			w.results <- 0
			continue
		}
		resp.Body.Close()
		w.results <- resp.StatusCode
	}
}

func (w *work) deferDone() {
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{}} // want `an http.Client with a Transport of its own made per call \(and dropped when the function returns\)`
	for i := range w.C {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				return
			}
			w.worker(client, w.N)
		}()
	}
	wg.Wait()
}

func (w *work) waitGroupGo() {
	var wg sync.WaitGroup
	tr := &http.Transport{} // want `an http.Transport made per call \(and dropped when the function returns\)`
	for range w.C {
		wg.Go(func() { tr.RoundTrip(nil) })
	}
	wg.Wait()
}

// Near misses, kept: a goroutine not joined (a worker that may run as
// long as the program), one that calls Done before it is done with the
// client, or passes it on as an argument; a Wait that a return can skip,
// or that only a branch reaches; a WaitGroup that is handed on, whose
// Done another function may call; what the goroutine stores.
func (w *work) background() {
	client := &http.Client{Transport: &http.Transport{}}
	go w.worker(client, w.N)
	go func() { w.worker(client, w.N) }()
}

func (w *work) doneFirst() {
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{}}
	wg.Add(1)
	go func() {
		wg.Done()
		w.worker(client, w.N)
	}()
	wg.Wait()
}

func (w *work) doneTwice() {
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{}}
	wg.Add(2)
	go func() {
		wg.Done()
		w.worker(client, w.N)
		wg.Done()
	}()
	wg.Wait()
}

func (w *work) argument() {
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{}}
	wg.Add(1)
	go func(c *http.Client) {
		w.worker(c, w.N)
		wg.Done()
	}(client)
	wg.Wait()
}

func (w *work) returnBefore() {
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{}}
	for i := range w.C {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.worker(client, w.N)
		}()
		if i == w.N {
			return
		}
	}
	wg.Wait()
}

func (w *work) returnAtTop() {
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{}}
	for i := range w.C {
		if i == w.N {
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.worker(client, w.N)
		}()
	}
	wg.Wait()
}

func (w *work) breakOut() {
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{}}
	for {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.worker(client, w.N)
		}()
		if w.N > 0 {
			break
		}
		wg.Wait()
	}
}

func (w *work) waitInBranch(wait bool) {
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{}}
	wg.Add(1)
	go func() {
		defer wg.Done()
		w.worker(client, w.N)
	}()
	if wait {
		wg.Wait()
	}
}

func (w *work) handedOn() {
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{}}
	wg.Add(1)
	go func() {
		defer wg.Done()
		w.worker(client, w.N)
	}()
	finish(&wg)
	wg.Wait()
}

func finish(wg *sync.WaitGroup) { wg.Done() }

var last *http.Client

func (w *work) stored() {
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{}}
	wg.Add(1)
	go func() {
		defer wg.Done()
		last = client
	}()
	wg.Wait()
}
