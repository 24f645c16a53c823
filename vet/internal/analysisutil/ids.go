package analysisutil

import "github.com/connleak/connleak/internal/checkid"

// The checks' ids (see package checkid).
const (
	CheckTransportIdleTimeout = checkid.TransportIdleTimeout
	CheckClientPerCall        = checkid.ClientPerCall
	CheckServerIdleTimeout    = checkid.ServerIdleTimeout
	CheckBodyNotClosed        = checkid.BodyNotClosed
	CheckRawBodyNotClosed     = checkid.RawBodyNotClosed
)

// aliases are the old ids a directive may still name, each with the check
// it names now.
var aliases = map[string]string{CheckRawBodyNotClosed: CheckBodyNotClosed}

// DocBase is where each check is documented: DocBase + id.
const DocBase = "https://github.com/connleak/connleak/blob/main/docs/checks.md#"

// RestyPaths are Resty's module paths, v2 and v3.
var RestyPaths = map[string]bool{"github.com/go-resty/resty/v2": true, "resty.dev/v3": true}
