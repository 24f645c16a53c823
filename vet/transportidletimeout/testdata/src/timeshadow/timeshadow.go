package timeshadow

import (
	"net/http"
	"time"
)

// The package time is hidden here: no fix.
func param(time int) *http.Transport {
	return &http.Transport{} // want `http.Transport without IdleConnTimeout`
}

func local() *http.Transport {
	time := time.Second
	_ = time
	return &http.Transport{} // want `http.Transport without IdleConnTimeout`
}

func typeParam[time any]() *http.Transport {
	return &http.Transport{} // want `http.Transport without IdleConnTimeout`
}

// A local time declared after the literal does not hide the package.
func after() *http.Transport {
	t := &http.Transport{} // want `http.Transport without IdleConnTimeout`
	time := 1
	_ = time
	return t
}
