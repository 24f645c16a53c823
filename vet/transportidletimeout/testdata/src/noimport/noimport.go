package noimport

import (
	"net/http"
)

var t = &http.Transport{} // want `http.Transport without IdleConnTimeout`
