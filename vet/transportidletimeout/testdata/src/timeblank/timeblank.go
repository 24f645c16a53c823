package timeblank

import (
	"net/http"
	_ "time"
)

// No fix: time is imported, and under no name this code can use.
var t = &http.Transport{} // want `http.Transport without IdleConnTimeout`
