package ignored

import "net/http"

//connleak:ignore transport-idle-timeout the lab leaks this one on purpose
var above = &http.Transport{}

var same = &http.Transport{} //connleak:ignore transport-idle-timeout on purpose too

//connleak:ignore transport-idle-timeout
var noReason = &http.Transport{} // want `http.Transport without IdleConnTimeout`

//connleak:ignore client-per-call the wrong check silences nothing
var wrongCheck = &http.Transport{} // want `http.Transport without IdleConnTimeout`

//connleak:ignore transport-idle-timeout two lines above silences nothing

var tooFar = &http.Transport{} // want `http.Transport without IdleConnTimeout`

var (
	//connleak:ignore client-per-call another check, then this one
	//connleak:ignore transport-idle-timeout each on its line
	second = &http.Transport{}
)
