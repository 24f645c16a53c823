package analysisutil

// The checks' ids: each the category of its findings, the name a
// //connleak:ignore directive gives, and its section of docs/checks.md.
// Package vet exports them as its Check constants.
const (
	CheckTransportIdleTimeout = "transport-idle-timeout"
	CheckClientPerCall        = "client-per-call"
	CheckServerIdleTimeout    = "server-idle-timeout"
	CheckRawBodyNotClosed     = "raw-body-not-closed"
)

// DocBase is where each check is documented: DocBase + id.
const DocBase = "https://github.com/connleak/connleak/blob/main/docs/checks.md#"

// RestyPaths are Resty's module paths, v2 and v3.
var RestyPaths = map[string]bool{"github.com/go-resty/resty/v2": true, "resty.dev/v3": true}
