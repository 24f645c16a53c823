package scenario

import (
	"net/url"
	"regexp"
	"testing"
)

// TestSources checks that every row names its source in words a reader can
// follow, short enough for the demo's table, and links it where it links.
func TestSources(t *testing.T) {
	// A bare number ("000, 001") or "issue 12" names a file or an issue
	// of this project's own history, which a reader cannot follow.
	opaque := regexp.MustCompile(`^[0-9, ]+$|(?i)\bissue [0-9]+\b|\bseed\b`)
	for _, s := range All() {
		if s.Seed == "" || len(s.Seed) > 28 || opaque.MatchString(s.Seed) {
			t.Errorf("%s: Seed %q: want words naming the source, at most 28 characters", s.Name, s.Seed)
		}
		if s.SourceURL == "" {
			continue
		}
		if u, err := url.Parse(s.SourceURL); err != nil || u.Scheme != "https" || u.Host == "" {
			t.Errorf("%s: SourceURL %q: want an https URL", s.Name, s.SourceURL)
		}
	}
}
