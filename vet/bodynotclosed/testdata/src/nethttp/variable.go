package nethttp

import "net/http"

// The body closed through a variable, or a method value (bodyclose #19).

func bodyVar(u string) error {
	resp, err := http.Get(u)
	if err != nil {
		return err
	}
	b := resp.Body
	defer b.Close()
	return nil
}

func pick(first *error, f func() error) {
	if err := f(); *first == nil {
		*first = err
	}
}

func methodValue(u string) (err error) {
	resp, err := http.Get(u)
	if err != nil {
		return err
	}
	defer pick(&err, resp.Body.Close)
	return nil
}
