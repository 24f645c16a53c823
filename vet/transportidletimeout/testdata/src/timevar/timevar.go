package timevar

import "net/http"

// No fix: an import of time would clash with the variable of another file.
var t = &http.Transport{} // want `http.Transport without IdleConnTimeout`
