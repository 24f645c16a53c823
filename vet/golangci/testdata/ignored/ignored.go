// Package ignored holds a finding that a //connleak:ignore directive
// silences: the linter finds nothing here.
package ignored

import "net/http"

//connleak:ignore transport-idle-timeout the test expects no finding here
var transport = &http.Transport{}

// Client shares the Transport.
func Client() *http.Client { return &http.Client{Transport: transport} }
