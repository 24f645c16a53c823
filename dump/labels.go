package dump

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// formatLabels writes a label set as pprof's debug=1 does, the one form
// Goroutine.Labels has whatever the dump: {"k":"v", "k2":"v2"}, sorted by
// key.
func formatLabels(l map[string]string) string {
	if len(l) == 0 {
		return ""
	}
	parts := make([]string, 0, len(l))
	for _, k := range slices.Sorted(maps.Keys(l)) {
		parts = append(parts, fmt.Sprintf("%q:%q", k, l[k]))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// normalLabels reads a label set as a dump writes it, debug=1's
// {"k":"v", ...} or a traceback's {"k": "v", ...}, into formatLabels' form;
// what does not read as one is kept as written.
func normalLabels(s string) string {
	var l map[string]string
	if json.Unmarshal([]byte(s), &l) != nil {
		return s
	}
	return formatLabels(l)
}
