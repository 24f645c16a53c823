package analysisutil

// The checks' ids: each the category of its findings, the name a
// //connleak:ignore directive gives, and its section of docs/checks.md.
// Package vet exports them as its Check constants.
const (
	CheckTransportIdleTimeout = "transport-idle-timeout"
	CheckClientPerCall        = "client-per-call"
	CheckServerIdleTimeout    = "server-idle-timeout"
	CheckBodyNotClosed        = "body-not-closed"
)

// CheckRawBodyNotClosed is the id body-not-closed had when it checked only
// Resty's raw bodies: a //connleak:ignore directive that names it still
// silences body-not-closed.
const CheckRawBodyNotClosed = "raw-body-not-closed"

// aliases are the old ids a directive may still name, each with the check
// it names now.
var aliases = map[string]string{CheckRawBodyNotClosed: CheckBodyNotClosed}

// DocBase is where each check is documented: DocBase + id.
const DocBase = "https://github.com/connleak/connleak/blob/main/docs/checks.md#"

// RestyPaths are Resty's module paths, v2 and v3.
var RestyPaths = map[string]bool{"github.com/go-resty/resty/v2": true, "resty.dev/v3": true}
