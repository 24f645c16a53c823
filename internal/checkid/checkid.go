// Package checkid holds the ids of connleak vet's checks: each the
// category of its findings, the name a //connleak:ignore directive gives,
// and its section of docs/checks.md. It imports nothing, so that the lab's
// catalogue names the checks its scenarios show without linking the
// analysis framework; package vet exports them as its Check constants.
package checkid

const (
	TransportIdleTimeout = "transport-idle-timeout"
	ClientPerCall        = "client-per-call"
	ServerIdleTimeout    = "server-idle-timeout"
	BodyNotClosed        = "body-not-closed"
)

// RawBodyNotClosed is the id body-not-closed had when it checked only
// Resty's raw bodies: a //connleak:ignore directive that names it still
// silences body-not-closed.
const RawBodyNotClosed = "raw-body-not-closed"
