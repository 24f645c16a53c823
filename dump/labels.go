package dump

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// formatLabels writes a label set as pprof's debug=1 does, the one form
// Goroutine.Labels has whatever the dump: {"k":"v", "k2":"v2"}, sorted by
// key.
func formatLabels(l map[string]string) string {
	if len(l) == 0 {
		return ""
	}
	b := []byte{'{'}
	for i, k := range slices.Sorted(maps.Keys(l)) {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = strconv.AppendQuote(b, k) // as fmt's %q, which pprof writes with
		b = append(b, ':')
		b = strconv.AppendQuote(b, l[k])
	}
	return string(append(b, '}'))
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

// headerLabels reads the label set of a Go 1.27 goroutine header,
// {caller: checkout, "weird key": "v\n", empty: }, into formatLabels' form:
// keys and values are Go-quoted where they hold anything but letters,
// digits, '.', '/' and '_'. What does not read as one is kept as written.
func headerLabels(s string) string {
	body, ok := strings.CutPrefix(s, "{")
	body, ok2 := strings.CutSuffix(body, "}")
	if !ok || !ok2 {
		return s
	}
	l := map[string]string{}
	for body != "" {
		k, rest, ok := headerToken(body)
		if !ok {
			return s
		}
		rest, ok = strings.CutPrefix(rest, ": ")
		if !ok {
			if rest, ok = strings.CutPrefix(rest, ":"); !ok { // an empty value last: "k: }" loses its space to the "}"
				return s
			}
		}
		v, rest, ok := headerToken(rest)
		if !ok {
			return s
		}
		l[k] = v
		if body, ok = strings.CutPrefix(rest, ", "); !ok && rest != "" {
			return s
		}
	}
	return formatLabels(l)
}

// headerToken reads one key or value of a Go 1.27 header's labels: a
// Go-quoted string, or a run of the characters Go leaves unquoted (none,
// for an empty value).
func headerToken(s string) (tok, rest string, ok bool) {
	if strings.HasPrefix(s, `"`) {
		q, err := strconv.QuotedPrefix(s)
		if err != nil {
			return "", s, false
		}
		tok, _ = strconv.Unquote(q)
		return tok, s[len(q):], true
	}
	i := strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '/' || r == '_')
	})
	if i < 0 {
		i = len(s)
	}
	return s[:i], s[i:], true
}
